import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `agent_events`.
public struct AgentEventStore: Sendable {
    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

    public func create(agentID: UUID, deploymentObjectID: UUID, eventType: String, status: String, message: String?) async throws -> AgentEvent {
        try await sql.model(
            """
            INSERT INTO agent_events (agent_id, deployment_object_id, event_type, status, message)
            VALUES (\(agentID), \(deploymentObjectID), \(eventType), \(status), \(message)) RETURNING *
            """, as: AgentEvent.self)!
    }

    public func list(agentID: UUID? = nil) async throws -> [AgentEvent] {
        try await sql.models(
            """
            SELECT * FROM agent_events WHERE deleted_at IS NULL AND (\(agentID)::uuid IS NULL OR agent_id = \(agentID)) ORDER BY created_at
            """, as: AgentEvent.self)
    }

    public func get(_ id: UUID) async throws -> AgentEvent? {
        try await sql.model("SELECT * FROM agent_events WHERE id = \(id) AND deleted_at IS NULL", as: AgentEvent.self)
    }
}
