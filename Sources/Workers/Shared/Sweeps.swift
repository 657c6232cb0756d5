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

/// brokkr-workorders: returns finished back-offs and stale claims to PENDING, and expires stale
/// claims that have no retries left (spec 03 §8.4).
public struct WorkOrderMaintenanceSweep: WorkerSweep {
    public let name = "work-order-maintenance"
    public let channel: String? = nil
    public init() {}
    public func sweep(_ database: Database, settings: Settings) async throws -> Int {
        let retries = try await WorkOrderMaintenance.resumeRetries(database)
        let stale = try await WorkOrderMaintenance.releaseStaleClaims(database)
        let expired = try await WorkOrderMaintenance.expireStaleClaims(database)
        if retries > 0 { database.logger.info("Reset \(retries) RETRY_PENDING work orders to PENDING") }
        if stale > 0 { database.logger.info("Released \(stale) stale claimed work orders") }
        if expired > 0 { database.logger.info("Expired \(expired) stale claimed work orders with no retries left") }
        return retries + stale + expired
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

/// brokkr-cleanup: diagnostics expiry and retention, finished-delivery retention, and marking agents
/// whose heartbeats stopped (`heartbeat_lost_at`).
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
        let silent = try await SweepSQL.count(database, """
            UPDATE agents SET heartbeat_lost_at = now() WHERE id IN (
                SELECT id FROM agents WHERE deleted_at IS NULL AND heartbeat_lost_at IS NULL
                  AND COALESCE(last_heartbeat, created_at) < now() - make_interval(secs => \(Double(settings.broker.agentHeartbeatTimeoutSeconds)))
                LIMIT 500 FOR UPDATE SKIP LOCKED) RETURNING id
            """)
        return expired + diagnostics + deliveries + silent
    }
}

enum SweepSQL {
    static func count(_ database: Database, _ query: PostgresQuery) async throws -> Int {
        var n = 0
        for try await _ in try await database.query(query) { n += 1 }
        return n
    }
}
