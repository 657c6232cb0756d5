import BrokkrCommon
import BrokkrQueue
import Foundation
import PostgresNIO

extension WorkerSweep {
    /// By default a worker sweeps every `workers.poll_interval_seconds` (re-read after every round).
    public func interval(_ settings: Settings) -> Int { settings.workers.pollIntervalSeconds }
}

/// brokkr-audit: moves audit entries from the outbox into `audit_logs` in batches.
public struct AuditBatchSweep: WorkerSweep {
    public let name = "audit-batcher"
    public let channel: String? = AuditOutbox.channel
    public init() {}
    public func sweep(_ database: Database, settings: Settings) async throws -> Int {
        try await AuditOutbox.moveBatch(database, limit: 500)
    }
}

/// brokkr-audit: deletes audit entries older than `broker.audit_log_retention_days`.
public struct AuditRetentionSweep: WorkerSweep {
    public let name = "audit-retention"
    public let channel: String? = nil
    public init() {}
    public func sweep(_ database: Database, settings: Settings) async throws -> Int {
        try await SweepSQL.count(database, """
            DELETE FROM audit_logs WHERE id IN (
                SELECT id FROM audit_logs WHERE created_at < now() - make_interval(days => \(settings.broker.auditLogRetentionDays)::int)
                LIMIT 1000 FOR UPDATE SKIP LOCKED) RETURNING id
            """)
    }
}

/// brokkr-workorders: returns stale claims and finished back-offs to PENDING.
public struct WorkOrderMaintenanceSweep: WorkerSweep {
    public let name = "work-order-maintenance"
    public let channel: String? = nil
    public init() {}
    public func sweep(_ database: Database, settings: Settings) async throws -> Int {
        let stale = try await SweepSQL.count(database, """
            UPDATE work_orders SET status = 'PENDING', claimed_by = NULL, claimed_at = NULL
            WHERE id IN (SELECT id FROM work_orders WHERE status = 'CLAIMED'
                         AND claimed_at + make_interval(secs => claim_timeout_seconds) < now()
                         LIMIT 500 FOR UPDATE SKIP LOCKED) RETURNING id
            """)
        let retries = try await SweepSQL.count(database, """
            UPDATE work_orders SET status = 'PENDING', next_retry_after = NULL
            WHERE id IN (SELECT id FROM work_orders WHERE status = 'RETRY_PENDING' AND next_retry_after <= now()
                         LIMIT 500 FOR UPDATE SKIP LOCKED) RETURNING id
            """)
        return stale + retries
    }
}

/// brokkr-webhooks: returns deliveries whose claimer died (lease expired) to the queue.
public struct WebhookLeaseRecoverySweep: WorkerSweep {
    public let name = "webhook-lease-recovery"
    public let channel: String? = nil
    public init() {}
    public func sweep(_ database: Database, settings: Settings) async throws -> Int {
        try await WorkQueue(spec: .webhookDeliveries, database: database).recoverExpiredLeases()
    }
}

/// brokkr-cleanup: diagnostics expiry and retention, finished-delivery retention.
public struct CleanupSweep: WorkerSweep {
    public let name = "cleanup"
    public let channel: String? = nil
    public init() {}
    public func interval(_ settings: Settings) -> Int { settings.broker.diagnosticCleanupIntervalSeconds }
    public func sweep(_ database: Database, settings: Settings) async throws -> Int {
        let expired = try await SweepSQL.count(database, """
            UPDATE diagnostic_requests SET status = 'expired'
            WHERE id IN (SELECT id FROM diagnostic_requests WHERE status IN ('pending', 'claimed') AND expires_at < now()
                         LIMIT 500 FOR UPDATE SKIP LOCKED) RETURNING id
            """)
        let diagnostics = try await SweepSQL.count(database, """
            DELETE FROM diagnostic_requests WHERE id IN (
                SELECT id FROM diagnostic_requests WHERE status IN ('completed', 'failed', 'expired')
                  AND COALESCE(completed_at, expires_at) < now() - make_interval(hours => \(settings.broker.diagnosticMaxAgeHours)::int)
                LIMIT 500 FOR UPDATE SKIP LOCKED) RETURNING id
            """)
        let deliveries = try await SweepSQL.count(database, """
            DELETE FROM webhook_deliveries WHERE id IN (
                SELECT id FROM webhook_deliveries WHERE status IN ('success', 'dead')
                  AND completed_at < now() - make_interval(days => \(settings.broker.webhookCleanupRetentionDays)::int)
                LIMIT 1000 FOR UPDATE SKIP LOCKED) RETURNING id
            """)
        return expired + diagnostics + deliveries
    }
}

enum SweepSQL {
    static func count(_ database: Database, _ query: PostgresQuery) async throws -> Int {
        var n = 0
        for try await _ in try await database.query(query) { n += 1 }
        return n
    }
}
