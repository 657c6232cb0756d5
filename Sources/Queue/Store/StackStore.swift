import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `stacks`, including the stacks associated with an agent.
public struct StackStore: Sendable {
    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

    public func create(name: String, description: String?, generatorID: UUID) async throws -> Stack {
        try await sql.model(
            """
            INSERT INTO stacks (name, description, generator_id) VALUES (\(name), \(description), \(generatorID)) RETURNING *
            """, as: Stack.self)!
    }

    public func get(_ id: UUID) async throws -> Stack? {
        try await sql.model("SELECT * FROM stacks WHERE id = \(id) AND deleted_at IS NULL", as: Stack.self)
    }

    /// Live stacks, all of them or only those a generator owns.
    public func list(generatorID: UUID? = nil) async throws -> [Stack] {
        try await sql.models(
            """
            SELECT * FROM stacks WHERE deleted_at IS NULL AND (\(generatorID)::uuid IS NULL OR generator_id = \(generatorID))
            ORDER BY created_at
            """, as: Stack.self)
    }

    public func update(_ id: UUID, name: String, description: String?, generatorID: UUID) async throws -> Stack? {
        try await sql.model(
            """
            UPDATE stacks SET name = \(name), description = \(description), generator_id = \(generatorID)
            WHERE id = \(id) AND deleted_at IS NULL RETURNING *
            """, as: Stack.self)
    }

    /// Stacks soft-deleted by the current transaction (rows deleted in one transaction share its `now()`).
    public func deletedByThisTransaction() async throws -> [(id: UUID, deletedAt: Date)] {
        var stacks: [(id: UUID, deletedAt: Date)] = []
        for try await row in try await sql.rows("SELECT id, deleted_at FROM stacks WHERE deleted_at = now()").decode((UUID, Date).self) {
            stacks.append(row)
        }
        return stacks
    }

    /// Soft-deletes; the trigger soft-deletes its objects and adds a deletion marker.
    public func softDelete(_ id: UUID) async throws -> Bool {
        try await sql.affectedRows("UPDATE stacks SET deleted_at = now() WHERE id = \(id) AND deleted_at IS NULL RETURNING id") > 0
    }

    /// Live stacks associated with the agent by a direct target, a shared label, or a shared
    /// annotation (same key and value).
    public func associated(agentID: UUID) async throws -> [Stack] {
        var binds = PostgresBindings()
        binds.append(agentID)
        return try await sql.models(
            PostgresQuery(
                unsafeSQL: """
                    SELECT * FROM stacks s
                    WHERE s.deleted_at IS NULL AND s.id IN (\(AssociatedStacks.sql(agentParameter: "$1"))) ORDER BY s.created_at
                    """, binds: binds), as: Stack.self)
    }
}

/// The one definition of "stacks an agent is associated with", shared by the stack list and
/// target-state queries.
enum AssociatedStacks {
    static func sql(agentParameter p: String) -> String {
        """
        SELECT t.stack_id FROM agent_targets t WHERE t.agent_id = \(p)
        UNION SELECT sl.stack_id FROM stack_labels sl JOIN agent_labels al ON al.label = sl.label WHERE al.agent_id = \(p)
        UNION SELECT sa.stack_id FROM stack_annotations sa
            JOIN agent_annotations aa ON aa.key = sa.key AND aa.value = sa.value WHERE aa.agent_id = \(p)
        """
    }
}

extension StackStore {
    public func isAssociated(stackID: UUID, agentID: UUID) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(agentID)
        binds.append(stackID)
        return try await sql.firstValue(
            PostgresQuery(unsafeSQL: "SELECT 1 WHERE $2 IN (\(AssociatedStacks.sql(agentParameter: "$1")))", binds: binds),
            as: Int.self) != nil
    }
}
