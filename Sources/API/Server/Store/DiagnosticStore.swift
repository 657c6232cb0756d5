import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `diagnostic_requests` and `diagnostic_results` (on-demand diagnostics of one deployment
/// object by one agent).
public struct DiagnosticStore: Sendable {
    public struct Request: Sendable {
        public let id: UUID
        public let agentID: UUID
        public let status: String
        public let json: String
    }

    let sql: any SQLExecutor

    public func create(deploymentObjectID: UUID, agentID: UUID, requestedBy: String?, retentionMinutes: Int) async throws -> Request {
        try await request("""
            INSERT INTO diagnostic_requests AS r (agent_id, deployment_object_id, requested_by, expires_at)
            VALUES (\(agentID), \(deploymentObjectID), \(requestedBy), now() + make_interval(mins => \(retentionMinutes)::int))
            RETURNING id, agent_id, status, to_jsonb(r)::text
            """)!
    }

    public func get(_ id: UUID) async throws -> Request? {
        try await request("SELECT id, agent_id, status, to_jsonb(r)::text FROM diagnostic_requests r WHERE id = \(id)")
    }

    public func resultJSON(requestID: UUID) async throws -> String? {
        try await sql.text("SELECT to_jsonb(x)::text FROM diagnostic_results x WHERE request_id = \(requestID) ORDER BY created_at DESC LIMIT 1")
    }

    /// Pending requests of the agent that have not expired, oldest first.
    public func pendingJSON(agentID: UUID) async throws -> String {
        try await sql.array("""
            SELECT json_agg(to_jsonb(r) ORDER BY created_at)::text FROM diagnostic_requests r
            WHERE agent_id = \(agentID) AND status = 'pending' AND expires_at > now()
            """)
    }

    /// Moves `from` → `to` atomically (so two claimers cannot both win); nil when the status was not `from`.
    public func transition(_ id: UUID, from: String, to: String) async throws -> Request? {
        try await request("""
            UPDATE diagnostic_requests r SET status = \(to),
                claimed_at = CASE WHEN \(to) = 'claimed' THEN now() ELSE claimed_at END,
                completed_at = CASE WHEN \(to) IN ('completed', 'failed') THEN now() ELSE completed_at END
            WHERE id = \(id) AND status = \(from)
            RETURNING id, agent_id, status, to_jsonb(r)::text
            """)
    }

    public func addResult(requestID: UUID, podStatuses: String, events: String, logTails: String?, collectedAt: Date) async throws -> String {
        try await sql.text("""
            INSERT INTO diagnostic_results AS x (request_id, pod_statuses, events, log_tails, collected_at)
            VALUES (\(requestID), \(podStatuses), \(events), \(logTails), \(collectedAt))
            RETURNING to_jsonb(x)::text
            """)!
    }

    private func request(_ query: PostgresQuery) async throws -> Request? {
        try await sql.first(query, as: (UUID, UUID, String, String).self).map { Request(id: $0.0, agentID: $0.1, status: $0.2, json: $0.3) }
    }
}
