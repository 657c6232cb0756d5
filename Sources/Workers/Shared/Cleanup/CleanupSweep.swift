import BrokkrCommon
import BrokkrQueue
import Foundation
import PostgresNIO

/// brokkr-cleanup: diagnostics expiry and retention, finished-delivery retention, and marking agents
/// whose heartbeats stopped (`heartbeat_lost_at`).
public struct CleanupSweep: WorkerSweep {
    public let name = "cleanup"
    public let channel: String? = nil
    public init() {}
    public func interval(_ settings: Settings) -> Int { settings.broker.diagnosticCleanupIntervalSeconds }
    public func sweep(_ database: Database, settings: Settings) async throws -> Int {
        let expired = try await SweepSQL.count(
            database,
            """
            UPDATE diagnostic_requests SET status = 'expired'
            WHERE id IN (SELECT id FROM diagnostic_requests WHERE status IN ('pending', 'claimed') AND expires_at < now()
                         LIMIT 500 FOR UPDATE SKIP LOCKED) RETURNING id
            """)
        let diagnostics = try await SweepSQL.count(
            database,
            """
            DELETE FROM diagnostic_requests WHERE id IN (
                SELECT id FROM diagnostic_requests WHERE status IN ('completed', 'failed', 'expired')
                  AND COALESCE(completed_at, expires_at) < now() - make_interval(hours => \(settings.broker.diagnosticMaxAgeHours)::int)
                LIMIT 500 FOR UPDATE SKIP LOCKED) RETURNING id
            """)
        let deliveries = try await SweepSQL.count(
            database,
            """
            DELETE FROM webhook_deliveries WHERE id IN (
                SELECT id FROM webhook_deliveries WHERE status IN ('success', 'dead')
                  AND completed_at < now() - make_interval(days => \(settings.broker.webhookCleanupRetentionDays)::int)
                LIMIT 1000 FOR UPDATE SKIP LOCKED) RETURNING id
            """)
        let silent = try await SweepSQL.count(
            database,
            """
            UPDATE agents SET heartbeat_lost_at = now() WHERE id IN (
                SELECT id FROM agents WHERE deleted_at IS NULL AND heartbeat_lost_at IS NULL
                  AND COALESCE(last_heartbeat, created_at) < now() - make_interval(secs => \(Double(settings.broker.agentHeartbeatTimeoutSeconds)))
                LIMIT 500 FOR UPDATE SKIP LOCKED) RETURNING id
            """)
        return expired + diagnostics + deliveries + silent
    }
}
