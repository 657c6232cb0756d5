import BrokkrCommon
import BrokkrQueue
import Foundation
import PostgresNIO

/// SQL for reading `webhook_deliveries` and for the API's writes to it (test deliveries). Claims,
/// completions and failures go through `WorkQueue` with `QueueSpec.webhookDeliveries`.
public struct WebhookDeliveryStore: Sendable {
    let sql: any SQLExecutor

    /// The contract's `WebhookDelivery` (the model has no field for the queue's internal columns).
    public func list(subscriptionID: UUID, status: String?, limit: Int, offset: Int) async throws -> [WebhookDelivery] {
        try await sql.models(
            PostgresQuery(
                unsafeSQL: """
                    SELECT * FROM webhook_deliveries WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2)
                    ORDER BY created_at DESC, id LIMIT $3 OFFSET $4
                    """,
                binds: {
                    var b = PostgresBindings()
                    b.append(subscriptionID)
                    b.append(status)
                    b.append(limit)
                    b.append(offset)
                    return b
                }()), as: WebhookDelivery.self)
    }

    /// Queues a `webhook.test` delivery for one subscription (sent by brokkr-webhooks, or by a
    /// matching agent when the subscription has target labels). Returns the delivery id.
    public func enqueueTest(
        _ event: BrokkrEvent, subscriptionID: UUID, targetLabels: [String]?, maxRetries: Int,
        on tx: Transaction
    ) async throws -> UUID {
        let id = try await tx.firstValue(
            """
            INSERT INTO webhook_deliveries (subscription_id, event_type, event_id, payload, target_labels, max_attempts, traceparent)
            VALUES (\(subscriptionID), \(event.eventType), \(event.id), \(event.payload), \(targetLabels), \(max(maxRetries, 1)),
                    \(TraceContext.currentTraceparent))
            RETURNING id
            """, as: UUID.self)!
        try await WorkQueue.notify(QueueSpec.webhookDeliveries.channel, on: tx.connection, logger: tx.logger)
        return id
    }

    /// Who holds the delivery (NULL = the broker's deliverer), or nil when there is no such delivery.
    public func acquiredBy(_ id: UUID) async throws -> UUID?? {
        try await sql.firstValue("SELECT acquired_by FROM webhook_deliveries WHERE id = \(id)", as: UUID?.self)
    }

    /// Status, attempts and (while a retry is scheduled) when it is due.
    public func progress(_ id: UUID) async throws -> (status: String, attempts: Int, nextRetryAt: Date?)? {
        try await sql.first(
            """
            SELECT status, attempts, CASE WHEN status = 'failed' THEN next_retry_at END FROM webhook_deliveries WHERE id = \(id)
            """, as: (String, Int, Date?).self
        ).map { (status: $0.0, attempts: $0.1, nextRetryAt: $0.2) }
    }
}
