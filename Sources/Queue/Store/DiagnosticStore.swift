import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `diagnostic_requests` and `diagnostic_results` (on-demand diagnostics of one deployment
/// object by one agent).
public struct DiagnosticStore: Sendable {
    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

    public func create(deploymentObjectID: UUID, agentID: UUID, requestedBy: String?, retentionMinutes: Int) async throws -> DiagnosticRequest {
        try await sql.model(
            """
            INSERT INTO diagnostic_requests (agent_id, deployment_object_id, requested_by, expires_at)
            VALUES (\(agentID), \(deploymentObjectID), \(requestedBy), now() + make_interval(mins => \(retentionMinutes)::int))
            RETURNING *
            """, as: DiagnosticRequest.self)!
    }

    public func get(_ id: UUID) async throws -> DiagnosticRequest? {
        try await sql.model("SELECT * FROM diagnostic_requests WHERE id = \(id)", as: DiagnosticRequest.self)
    }

    public func result(requestID: UUID) async throws -> DiagnosticResult? {
        try await sql.model(
            "SELECT * FROM diagnostic_results WHERE request_id = \(requestID) ORDER BY created_at DESC LIMIT 1", as: DiagnosticResult.self)
    }

    /// Pending requests of the agent that have not expired, oldest first.
    public func pending(agentID: UUID) async throws -> [DiagnosticRequest] {
        try await sql.models(
            """
            SELECT * FROM diagnostic_requests
            WHERE agent_id = \(agentID) AND status = 'pending' AND expires_at > now() ORDER BY created_at
            """, as: DiagnosticRequest.self)
    }

    /// Moves `from` → `to` atomically (so two claimers cannot both win); nil when the status was not `from`.
    public func transition(_ id: UUID, from: String, to: String) async throws -> DiagnosticRequest? {
        try await sql.model(
            """
            UPDATE diagnostic_requests SET status = \(to),
                claimed_at = CASE WHEN \(to) = 'claimed' THEN now() ELSE claimed_at END,
                completed_at = CASE WHEN \(to) IN ('completed', 'failed') THEN now() ELSE completed_at END
            WHERE id = \(id) AND status = \(from) RETURNING *
            """, as: DiagnosticRequest.self)
    }

    public func addResult(requestID: UUID, _ result: SubmitDiagnosticResult) async throws -> DiagnosticResult {
        try await sql.model(
            """
            INSERT INTO diagnostic_results (request_id, pod_statuses, events, log_tails, collected_at)
            VALUES (\(requestID), \(result.podStatuses), \(result.events), \(result.logTails), \(result.collectedAt))
            RETURNING *
            """, as: DiagnosticResult.self)!
    }

    /// Marks up to `limit` pending or claimed requests past their `expires_at` as expired.
    public func expireOverdue(limit: Int = 500) async throws -> Int {
        try await sql.affectedRows(
            """
            UPDATE diagnostic_requests SET status = 'expired'
            WHERE id IN (SELECT id FROM diagnostic_requests WHERE status IN ('pending', 'claimed') AND expires_at < now()
                         LIMIT \(limit) FOR UPDATE SKIP LOCKED) RETURNING id
            """)
    }

    /// Deletes up to `limit` finished requests (and, by cascade, their results) older than `maxAgeHours`.
    public func deleteFinished(olderThanHours maxAgeHours: Int, limit: Int = 500) async throws -> Int {
        try await sql.affectedRows(
            """
            DELETE FROM diagnostic_requests WHERE id IN (
                SELECT id FROM diagnostic_requests WHERE status IN ('completed', 'failed', 'expired')
                  AND COALESCE(completed_at, expires_at) < now() - make_interval(hours => \(maxAgeHours)::int)
                LIMIT \(limit) FOR UPDATE SKIP LOCKED) RETURNING id
            """)
    }
}
