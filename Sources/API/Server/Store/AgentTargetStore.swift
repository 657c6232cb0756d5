import Foundation
import PostgresNIO

/// SQL for `agent_targets` (direct agent ↔ stack assignments).
public struct AgentTargetStore: Sendable {
    let sql: any SQLExecutor

    public func listJSON(agentID: UUID) async throws -> String {
        try await sql.array("SELECT json_agg(to_jsonb(t))::text FROM agent_targets t WHERE agent_id = \(agentID)")
    }

    public func add(agentID: UUID, stackID: UUID) async throws -> String {
        try await sql.text("""
            INSERT INTO agent_targets AS t (agent_id, stack_id) VALUES (\(agentID), \(stackID)) RETURNING to_jsonb(t)::text
            """)!
    }

    public func remove(agentID: UUID, stackID: UUID) async throws -> Bool {
        try await sql.affectedRows("DELETE FROM agent_targets WHERE agent_id = \(agentID) AND stack_id = \(stackID) RETURNING id") > 0
    }

    public func isTargeted(agentID: UUID, stackID: UUID) async throws -> Bool {
        try await sql.firstValue("SELECT 1 FROM agent_targets WHERE agent_id = \(agentID) AND stack_id = \(stackID)", as: Int.self) != nil
    }
}
