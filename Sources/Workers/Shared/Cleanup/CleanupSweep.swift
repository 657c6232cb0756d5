import BrokkrCommon
import BrokkrQueue

/// brokkr-cleanup: diagnostics expiry and retention, finished-delivery retention, and marking agents
/// whose heartbeats stopped (`heartbeat_lost_at`).
public struct CleanupSweep: WorkerSweep {
    public let name = "cleanup"
    public let channel: String? = nil
    public init() {}
    public func interval(_ settings: Settings) -> Int { settings.broker.diagnosticCleanupIntervalSeconds }
    public func sweep(_ database: Database, settings: Settings) async throws -> Int {
        let diagnostics = DiagnosticStore(sql: database)
        let expired = try await diagnostics.expireOverdue()
        let deleted = try await diagnostics.deleteFinished(olderThanHours: settings.broker.diagnosticMaxAgeHours)
        let deliveries = try await WebhookDeliveryStore(sql: database).deleteFinished(olderThanDays: settings.broker.webhookCleanupRetentionDays)
        let silent = try await AgentStore(sql: database).markHeartbeatsLost(timeoutSeconds: settings.broker.agentHeartbeatTimeoutSeconds)
        return expired + deleted + deliveries + silent
    }
}
