import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `deployment_objects` (immutable rows; new content is a new row) and target state.
public struct DeploymentObjectStore: Sendable {
    let sql: any SQLExecutor

    public func create(stackID: UUID, yaml: String, isDeletionMarker: Bool) async throws -> (UUID, String) {
        try await sql.first("""
            INSERT INTO deployment_objects AS d (stack_id, yaml_content, yaml_checksum, is_deletion_marker)
            VALUES (\(stackID), \(yaml), \(Checksum.sha256Hex(yaml)), \(isDeletionMarker))
            RETURNING id, to_jsonb(d)::text
            """, as: (UUID, String).self)!
    }

    /// A live object with its stack id (for access checks) and JSON.
    public func get(_ id: UUID) async throws -> (stackID: UUID, json: String)? {
        try await sql.first("SELECT stack_id, to_jsonb(d)::text FROM deployment_objects d WHERE id = \(id) AND deleted_at IS NULL",
                            as: (UUID, String).self).map { (stackID: $0.0, json: $0.1) }
    }

    public func listJSON(stackID: UUID) async throws -> (count: Int, json: String) {
        let (count, json) = try await sql.first("""
            SELECT count(*)::int, coalesce(json_agg(to_jsonb(d) ORDER BY sequence_id), '[]')::text
            FROM deployment_objects d WHERE stack_id = \(stackID) AND deleted_at IS NULL
            """, as: (Int, String).self)!
        return (count, json)
    }

    /// The agent's target state: for every stack associated with the agent (including stacks deleted
    /// since, whose deletion marker must still reach the cluster), the latest live object, ordered by
    /// sequence id. `incremental` leaves out objects this agent has already reported an event for.
    /// Every agent polls this, so it is a prepared statement: planned once per connection.
    public func targetStateJSON(agentID: UUID, includeDeployed: Bool) async throws -> String {
        try await sql.prepared(TargetStateStatement(agentID: agentID, includeDeployed: includeDeployed)).first.flatMap { $0 } ?? "[]"
    }
}

extension DeploymentObjectStore {
    /// Any object, live or soft-deleted (agents report events for objects of deleted stacks).
    public func getIncludingDeleted(_ id: UUID) async throws -> (stackID: UUID, json: String)? {
        try await sql.first("SELECT stack_id, to_jsonb(d)::text FROM deployment_objects d WHERE id = \(id)",
                            as: (UUID, String).self).map { (stackID: $0.0, json: $0.1) }
    }
}

/// The target-state query (see `DeploymentObjectStore.targetStateJSON`).
struct TargetStateStatement: PostgresPreparedStatement {
    static let name = "brokkr_target_state_v1"
    static let sql = """
        SELECT json_agg(to_jsonb(d) ORDER BY d.sequence_id)::text
        FROM (\(AssociatedStacks.sql(agentParameter: "$1"))) AS a(stack_id)
        CROSS JOIN LATERAL (
            SELECT * FROM deployment_objects o
            WHERE o.stack_id = a.stack_id AND o.deleted_at IS NULL
            ORDER BY o.sequence_id DESC LIMIT 1) AS d
        WHERE $2 OR NOT EXISTS (
            SELECT 1 FROM agent_events e WHERE e.agent_id = $1 AND e.deployment_object_id = d.id AND e.deleted_at IS NULL)
        """
    typealias Row = String?

    let agentID: UUID
    let includeDeployed: Bool

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(agentID)
        binds.append(includeDeployed)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> String? { try row.decode(String?.self) }
}
