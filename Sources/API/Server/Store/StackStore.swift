import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `stacks`, including the stacks associated with an agent.
public struct StackStore: Sendable {
    public struct Row: Sendable {
        public let id: UUID
        public let name: String
        public let generatorID: UUID
        public let json: String
    }

    let sql: any SQLExecutor

    public func create(name: String, description: String?, generatorID: UUID) async throws -> Row {
        try await row("""
            INSERT INTO stacks AS s (name, description, generator_id) VALUES (\(name), \(description), \(generatorID))
            RETURNING id, name, generator_id, to_jsonb(s)::text
            """)!
    }

    public func get(_ id: UUID) async throws -> Row? {
        try await row("SELECT id, name, generator_id, to_jsonb(s)::text FROM stacks s WHERE id = \(id) AND deleted_at IS NULL")
    }

    /// Live stacks, all of them or only those a generator owns.
    public func listJSON(generatorID: UUID? = nil) async throws -> (count: Int, json: String) {
        let (count, json) = try await sql.first("""
            SELECT count(*)::int, coalesce(json_agg(to_jsonb(s) ORDER BY created_at), '[]')::text FROM stacks s
            WHERE deleted_at IS NULL AND (\(generatorID)::uuid IS NULL OR generator_id = \(generatorID))
            """, as: (Int, String).self)!
        return (count, json)
    }

    public func update(_ id: UUID, name: String, description: String?, generatorID: UUID) async throws -> Row? {
        try await row("""
            UPDATE stacks s SET name = \(name), description = \(description), generator_id = \(generatorID)
            WHERE id = \(id) AND deleted_at IS NULL RETURNING id, name, generator_id, to_jsonb(s)::text
            """)
    }

    /// Soft-deletes; the trigger soft-deletes its objects and adds a deletion marker.
    public func softDelete(_ id: UUID) async throws -> Bool {
        try await sql.affectedRows("UPDATE stacks SET deleted_at = now() WHERE id = \(id) AND deleted_at IS NULL RETURNING id") > 0
    }

    /// Live stacks associated with the agent by a direct target, a shared label, or a shared
    /// annotation (same key and value).
    public func associatedJSON(agentID: UUID) async throws -> String {
        var binds = PostgresBindings()
        binds.append(agentID)
        return try await sql.array(PostgresQuery(unsafeSQL: """
            SELECT json_agg(to_jsonb(s) ORDER BY s.created_at)::text FROM stacks s
            WHERE s.deleted_at IS NULL AND s.id IN (\(AssociatedStacks.sql(agentParameter: "$1")))
            """, binds: binds))
    }

    private func row(_ query: PostgresQuery) async throws -> Row? {
        try await sql.first(query, as: (UUID, String, UUID, String).self).map { Row(id: $0.0, name: $0.1, generatorID: $0.2, json: $0.3) }
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
        return try await sql.firstValue(PostgresQuery(unsafeSQL: "SELECT 1 WHERE $2 IN (\(AssociatedStacks.sql(agentParameter: "$1")))", binds: binds),
                                   as: Int.self) != nil
    }
}
