import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `deployment_objects` (immutable rows; new content is a new row) and target state.
public struct DeploymentObjectStore: Sendable {
    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

    /// (id, stack id) of the objects soft-deleted by the current transaction (the stack triggers), not
    /// counting deletion markers.
    public func deletedByThisTransaction() async throws -> [(id: UUID, stackID: UUID)] {
        var objects: [(id: UUID, stackID: UUID)] = []
        let rows = try await sql.rows("SELECT id, stack_id FROM deployment_objects WHERE deleted_at = now() AND NOT is_deletion_marker")
        for try await row in rows.decode((UUID, UUID).self) { objects.append(row) }
        return objects
    }

    public func create(stackID: UUID, yaml: String, isDeletionMarker: Bool) async throws -> DeploymentObject {
        try await sql.model(
            """
            INSERT INTO deployment_objects (stack_id, yaml_content, yaml_checksum, is_deletion_marker)
            VALUES (\(stackID), \(yaml), \(Checksum.sha256Hex(yaml)), \(isDeletionMarker)) RETURNING *
            """, as: DeploymentObject.self)!
    }

    /// A live object.
    public func get(_ id: UUID) async throws -> DeploymentObject? {
        try await sql.model("SELECT * FROM deployment_objects WHERE id = \(id) AND deleted_at IS NULL", as: DeploymentObject.self)
    }

    public func list(stackID: UUID) async throws -> [DeploymentObject] {
        try await sql.models(
            """
            SELECT * FROM deployment_objects WHERE stack_id = \(stackID) AND deleted_at IS NULL ORDER BY sequence_id
            """, as: DeploymentObject.self)
    }

    /// The agent's target state: for every stack associated with the agent (including stacks deleted
    /// since, whose deletion marker must still reach the cluster), the latest live object, ordered by
    /// sequence id. Unless `includeDeployed`, it leaves out objects this agent has reported SUCCESS for:
    /// a failed object keeps coming back, so the agent retries it until it succeeds or a newer object
    /// of the stack replaces it.
    /// Every agent polls this, so it is a prepared statement: planned once per connection.
    public func targetState(agentID: UUID, includeDeployed: Bool) async throws -> [DeploymentObject] {
        try await sql.prepared(TargetStateStatement(agentID: agentID, includeDeployed: includeDeployed))
    }
}

extension DeploymentObjectStore {
    /// Any object, live or soft-deleted (agents report events for objects of deleted stacks).
    public func getIncludingDeleted(_ id: UUID) async throws -> DeploymentObject? {
        try await sql.model("SELECT * FROM deployment_objects WHERE id = \(id)", as: DeploymentObject.self)
    }
}

/// The target-state query (see `DeploymentObjectStore.targetStateJSON`).
struct TargetStateStatement: PostgresPreparedStatement {
    static let name = "brokkr_target_state_v3"
    static let sql = """
        SELECT d.*
        FROM (\(AssociatedStacks.sql(agentParameter: "$1"))) AS a(stack_id)
        CROSS JOIN LATERAL (
            SELECT * FROM deployment_objects o
            WHERE o.stack_id = a.stack_id AND o.deleted_at IS NULL
            ORDER BY o.sequence_id DESC LIMIT 1) AS d
        WHERE $2 OR NOT EXISTS (
            SELECT 1 FROM agent_events e
            WHERE e.agent_id = $1 AND e.deployment_object_id = d.id AND upper(e.status) = 'SUCCESS' AND e.deleted_at IS NULL)
        ORDER BY d.sequence_id
        """
    typealias Row = DeploymentObject

    let agentID: UUID
    let includeDeployed: Bool

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(agentID)
        binds.append(includeDeployed)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> DeploymentObject { try RowDecoder.decode(DeploymentObject.self, from: row) }
}
