import BrokkrCommon
import BrokkrQueue

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
        try await AuditLogStore(sql: database).deleteOlderThan(days: settings.broker.auditLogRetentionDays)
    }
}
