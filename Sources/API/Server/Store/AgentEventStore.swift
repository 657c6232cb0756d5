import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `agent_events`.
public struct AgentEventStore: Sendable {
    let sql: any SQLExecutor

    public func create(agentID: UUID, deploymentObjectID: UUID, eventType: String, status: String, message: String?) async throws -> (JSONValue, String) {
        let json = try await sql.text("""
            INSERT INTO agent_events AS e (agent_id, deployment_object_id, event_type, status, message)
            VALUES (\(agentID), \(deploymentObjectID), \(eventType), \(status), \(message))
            RETURNING to_jsonb(e)::text
            """)!
        return (try JSONValue.parse(json), json)
    }

    public func listJSON(agentID: UUID? = nil) async throws -> String {
        try await sql.array("""
            SELECT json_agg(to_jsonb(e) ORDER BY created_at)::text FROM agent_events e
            WHERE deleted_at IS NULL AND (\(agentID)::uuid IS NULL OR agent_id = \(agentID))
            """)
    }

    public func getJSON(_ id: UUID) async throws -> String? {
        try await sql.text("SELECT to_jsonb(e)::text FROM agent_events e WHERE id = \(id) AND deleted_at IS NULL")
    }
}
