import AsyncHTTPClient
import BrokkrCommon
import BrokkrQueue
import Foundation
import Logging
import Tracing

/// brokkr-webhooks: claims due broker-delivered webhook deliveries (`target_labels` NULL) with
/// `FOR UPDATE SKIP LOCKED`, sends each batch concurrently, then records the outcomes: successes in
/// one statement, failures with exponential back-off, `dead` after `max_attempts`.
public struct WebhookDeliverySweep: WorkerSweep {
    public let name = "webhook-delivery"
    public let channel: String? = QueueSpec.webhookDeliveries.channel
    public let tracesItsBatches = true
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

    /// A claimed batch is finished on SIGTERM: the worker's loop is cancelled only after it (within the
    /// shutdown grace; each request is bounded by its subscription's timeout).
    public func sweep(_ database: Database, settings: Settings) async throws -> Int {
        let queue = WorkQueue(spec: .webhookDeliveries, sql: database)
        let lease = settings.workers.leaseSeconds
        let claimStarted = DefaultTracerClock.now
        let claims = try await queue.claim(
            owner: owner, limit: settings.broker.webhookDeliveryBatchSize,
            leaseSeconds: lease, filter: .brokerDelivered)
        guard !claims.isEmpty else { return 0 }
        // A span for each batch that claimed something (an idle round leaves no trace), from the claim on.
        return try await withSpan("webhook-delivery batch", at: claimStarted, ofKind: .consumer) { batch in
            batch.attributes["brokkr.batch.size"] = claims.count
            try await deliver(claims, queue: queue, lease: lease, batch: batch.context, database: database)
            return claims.count
        }
    }

    func deliver(_ claims: [QueueClaim], queue: WorkQueue, lease: Int, batch: ServiceContext, database: Database) async throws {
        let jobs = try await WebhookDeliveryStore(sql: database).jobs(claims.map(\.id))
        // The lease must outlast the request, or another worker could send the same delivery again.
        for job in jobs where job.timeoutSeconds + 5 > lease {
            try await queue.extendLease(job.id, owner: owner, leaseSeconds: job.timeoutSeconds + 5)
        }
        let destinations = sender.destinations(of: jobs)
        let outcomes = await withTaskGroup(of: (WebhookDeliveryJob, WebhookSender.Outcome).self) { group in
            for job in jobs {
                let destination = destinations[job.subscriptionID]!
                group.addTask { (job, await send(job, to: destination, batch: batch)) }
            }
            var all: [(WebhookDeliveryJob, WebhookSender.Outcome)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let delivered = outcomes.filter { $0.1 == .delivered }.map(\.0.id)
        let completed = try await queue.complete(delivered, owner: owner)
        if completed.count < delivered.count {
            database.logger.warning(
                "\(delivered.count - completed.count) webhook deliveries were sent after their lease expired (another worker may send them again)")
        }
        for case (let job, .failed(let error, let permanent)) in outcomes {
            if try await queue.fail(job.id, owner: owner, error: error, permanent: permanent) == .dead {
                database.logger.warning("Webhook delivery \(job.id.lowercasedString) dead after \(job.attempts) attempts: \(error)")
            }
        }
    }

    /// One delivery's span: a child of the request that caused it (its stored `traceparent`), linked
    /// to the batch that claimed it; a child of the batch when the cause was not traced.
    func send(
        _ job: WebhookDeliveryJob, to destination: WebhookDeliveryJob.DestinationResult,
        batch: ServiceContext
    ) async -> WebhookSender.Outcome {
        let parent = job.traceparent == nil ? batch : TraceContext.context(traceparent: job.traceparent)
        return await withSpan("webhook delivery", context: parent, ofKind: .client) { span in
            if span.isRecording {  // attributes cost every delivery two UUID strings, for no one when not traced
                if job.traceparent != nil { span.addLink(SpanLink(context: batch, attributes: [:])) }
                span.attributes["brokkr.webhook.delivery_id"] = job.id.lowercasedString
                span.attributes["brokkr.webhook.subscription_id"] = job.subscriptionID.lowercasedString
                span.attributes["brokkr.webhook.event_type"] = job.eventType
                span.attributes["brokkr.webhook.attempt"] = job.attempts
            }
            let outcome = await sender.send(job, to: destination)
            if case .failed(let error, _) = outcome { span.setStatus(SpanStatus(code: .error, message: error)) }
            return outcome
        }
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}
