import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `agent_targets` (direct agent ↔ stack assignments).
public struct AgentTargetStore: Sendable {
    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

    public func list(agentID: UUID) async throws -> [AgentTarget] {
        try await sql.models("SELECT * FROM agent_targets WHERE agent_id = \(agentID)", as: AgentTarget.self)
    }

    public func add(agentID: UUID, stackID: UUID) async throws -> AgentTarget {
        try await sql.model("INSERT INTO agent_targets (agent_id, stack_id) VALUES (\(agentID), \(stackID)) RETURNING *", as: AgentTarget.self)!
    }

    public func remove(agentID: UUID, stackID: UUID) async throws -> Bool {
        try await sql.affectedRows("DELETE FROM agent_targets WHERE agent_id = \(agentID) AND stack_id = \(stackID) RETURNING id") > 0
    }

    public func isTargeted(agentID: UUID, stackID: UUID) async throws -> Bool {
        try await sql.firstValue("SELECT 1 FROM agent_targets WHERE agent_id = \(agentID) AND stack_id = \(stackID)", as: Int.self) != nil
    }
}
