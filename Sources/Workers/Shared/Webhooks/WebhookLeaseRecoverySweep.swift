import BrokkrCommon
import BrokkrQueue

/// brokkr-webhooks: returns deliveries whose claimer died (lease expired) to the queue.
public struct WebhookLeaseRecoverySweep: WorkerSweep {
    public let name = "webhook-lease-recovery"
    public let channel: String? = nil
    public init() {}
    public func sweep(_ database: Database, settings: Settings) async throws -> Int {
        try await WorkQueue(spec: .webhookDeliveries, sql: database).recoverExpiredLeases()
    }
}
