import AsyncHTTPClient
import BrokkrCommon
import BrokkrQueue
import Foundation
import Logging

/// brokkr-webhooks: claims due broker-delivered webhook deliveries (`target_labels` NULL) with
/// `FOR UPDATE SKIP LOCKED`, sends each batch concurrently, then records the outcomes: successes in
/// one statement, failures with exponential back-off, `dead` after `max_attempts`.
public struct WebhookDeliverySweep: WorkerSweep {
    public let name = "webhook-delivery"
    public let channel: String? = QueueSpec.webhookDeliveries.channel
    let sender: WebhookSender
    let client: HTTPClient
    /// This process's claim owner: host, pid and a random suffix, so a restarted process never
    /// completes rows its predecessor claimed.
    public let owner: String

    public init(settings: Settings, logger: Logger) throws {
        let cipher = try WebhookCipher(settings: settings.broker, logger: logger)
        self.client = WebhookSender.makeClient(connectionsPerHost: settings.broker.webhookDeliveryBatchSize)
        self.sender = WebhookSender(client: client, cipher: cipher)
        self.owner = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Rounds are `broker.webhook_delivery_interval_seconds` apart unless a new delivery's NOTIFY wakes
    /// the worker first (re-read after every round, so a reload takes effect at once).
    public func interval(_ settings: Settings) -> Int { settings.broker.webhookDeliveryIntervalSeconds }

    public func sweep(_ database: Database, settings: Settings) async throws -> Int {
        // SIGTERM cancels the worker loop, not this unstructured task: a claimed batch is always
        // finished (each request is bounded by its subscription's timeout) before the process exits.
        let batch = Task { try await deliverOneBatch(database, settings: settings) }
        return try await batch.value
    }

    func deliverOneBatch(_ database: Database, settings: Settings) async throws -> Int {
        let queue = WorkQueue(spec: .webhookDeliveries, database: database)
        let lease = settings.workers.leaseSeconds
        let claims = try await queue.claim(owner: owner, limit: settings.broker.webhookDeliveryBatchSize,
                                           leaseSeconds: lease, filter: .brokerDelivered)
        guard !claims.isEmpty else { return 0 }
        let jobs = try await WebhookDeliveryJob.load(claims.map(\.id), on: database)
        // The lease must outlast the request, or another worker could send the same delivery again.
        for job in jobs where job.timeoutSeconds + 5 > lease {
            try await queue.extendLease(job.id, owner: owner, leaseSeconds: job.timeoutSeconds + 5)
        }
        let outcomes = await withTaskGroup(of: (WebhookDeliveryJob, WebhookSender.Outcome).self) { group in
            for job in jobs { group.addTask { (job, await sender.send(job)) } }
            var all: [(WebhookDeliveryJob, WebhookSender.Outcome)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let delivered = outcomes.filter { $0.1 == .delivered }.map(\.0.id)
        let completed = try await queue.complete(delivered, owner: owner)
        if completed.count < delivered.count {
            database.logger.warning("\(delivered.count - completed.count) webhook deliveries were sent after their lease expired (another worker may send them again)")
        }
        for case let (job, .failed(error, permanent)) in outcomes {
            if try await queue.fail(job.id, owner: owner, error: error, permanent: permanent) == .dead {
                database.logger.warning("Webhook delivery \(job.id.lowercasedString) dead after \(job.attempts) attempts: \(error)")
            }
        }
        return claims.count
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}
