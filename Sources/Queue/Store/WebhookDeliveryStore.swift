import BrokkrCommon
import Foundation
import PostgresNIO

/// The SQL of `webhook_deliveries`: fan-out of events, test deliveries, reads, loading claimed jobs
/// and retention. Claims, completions and failures go through `WorkQueue` with
/// `QueueSpec.webhookDeliveries` and `ClaimFilter.brokerDelivered` / `.agentDelivered` (below).
public struct WebhookDeliveryStore: Sendable {
    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

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
        _ event: BrokkrEvent, subscriptionID: UUID, targetLabels: [String]?, maxRetries: Int
    ) async throws -> UUID {
        let id = try await sql.firstValue(
            """
            INSERT INTO webhook_deliveries (subscription_id, event_type, event_id, payload, target_labels, max_attempts, traceparent)
            VALUES (\(subscriptionID), \(event.eventType), \(event.id), \(event.payload), \(targetLabels), \(max(maxRetries, 1)),
                    \(TraceContext.currentTraceparent))
            RETURNING id
            """, as: UUID.self)!
        try await WorkQueue.notify(QueueSpec.webhookDeliveries.channel, on: sql)
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

    /// Queues `event` for every enabled subscription that matches it (then NOTIFYs the deliverers), on
    /// the caller's transaction. Matching is evaluated in SQL:
    /// - patterns: `*`, `prefix.*` (prefix then a dot), or the exact type;
    /// - `filters.agent_id` / `filters.stack_id`: the event must concern that agent / stack;
    /// - `filters.labels` `{k: v}`: every pair must be carried by the event's agent or stack, as an
    ///   annotation `k`=`v` or a label `k=v` / `k:v` (Brokkr's two label spellings);
    /// - `target_labels` are copied (an empty list is stored as NULL: the broker delivers);
    /// - the current trace's `traceparent` is stored, for the delivery's span to continue it.
    @discardableResult
    public func fanOut(_ event: BrokkrEvent, agentID: UUID?, stackID: UUID?) async throws -> Int {
        let count = try await sql.affectedRows(
            """
            WITH tags(k, v) AS (
                SELECT key, value FROM agent_annotations WHERE agent_id = \(agentID)
                UNION SELECT key, value FROM stack_annotations WHERE stack_id = \(stackID)
                UNION SELECT m[1], m[2] FROM agent_labels, regexp_match(label, '^([^=:]+)[=:](.*)$') AS m WHERE agent_id = \(agentID)
                UNION SELECT m[1], m[2] FROM stack_labels, regexp_match(label, '^([^=:]+)[=:](.*)$') AS m WHERE stack_id = \(stackID))
            INSERT INTO webhook_deliveries (subscription_id, event_type, event_id, payload, target_labels, max_attempts, traceparent)
            SELECT s.id, \(event.eventType), \(event.id), \(event.payload), NULLIF(s.target_labels, '{}'), GREATEST(s.max_retries, 1),
                   \(TraceContext.currentTraceparent)
            FROM webhook_subscriptions s, LATERAL (SELECT s.filters::jsonb AS f) AS sf
            WHERE s.enabled
              AND EXISTS (
                SELECT 1 FROM unnest(s.event_types) AS p(pattern)
                WHERE p.pattern = '*' OR p.pattern = \(event.eventType)
                   OR (right(p.pattern, 2) = '.*' AND starts_with(\(event.eventType), left(p.pattern, -1))))
              AND (sf.f->>'agent_id' IS NULL OR sf.f->>'agent_id' = \(agentID?.uuidString.lowercased()))
              AND (sf.f->>'stack_id' IS NULL OR sf.f->>'stack_id' = \(stackID?.uuidString.lowercased()))
              AND (jsonb_typeof(sf.f->'labels') IS DISTINCT FROM 'object' OR NOT EXISTS (
                SELECT 1 FROM jsonb_each_text(sf.f->'labels') AS want(k, v)
                WHERE NOT EXISTS (SELECT 1 FROM tags WHERE tags.k = want.k AND tags.v = want.v)))
            ON CONFLICT (subscription_id, event_id) DO NOTHING
            RETURNING id
            """)
        if count > 0 { try await WorkQueue.notify(QueueSpec.webhookDeliveries.channel, on: sql) }
        return count
    }

    /// Loads the given (claimed) deliveries with their subscriptions.
    public func jobs(_ ids: [UUID]) async throws -> [WebhookDeliveryJob] {
        guard !ids.isEmpty else { return [] }
        let rows = try await sql.rows(
            """
            SELECT d.id, d.subscription_id, d.event_type, d.event_id, d.payload, d.attempts, s.max_retries, s.timeout_seconds,
                   s.url_encrypted, s.auth_header_encrypted, s.signing_secret_encrypted, d.traceparent
            FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
            WHERE d.id = ANY(\(ids))
            """)
        var jobs: [WebhookDeliveryJob] = []
        for try await r in rows.decode((UUID, UUID, String, UUID, String, Int, Int, Int, ByteBuffer, ByteBuffer?, ByteBuffer?, String?).self) {
            jobs.append(
                WebhookDeliveryJob(
                    id: r.0, subscriptionID: r.1, eventType: r.2, eventID: r.3, payload: r.4, attempts: r.5, maxRetries: r.6,
                    timeoutSeconds: r.7, traceparent: r.11, urlEncrypted: Array(r.8.readableBytesView),
                    authHeaderEncrypted: r.9.map { Array($0.readableBytesView) },
                    signingSecretEncrypted: r.10.map { Array($0.readableBytesView) }))
        }
        return jobs
    }

    /// Deletes up to `limit` delivered or dead deliveries finished more than `retentionDays` ago.
    public func deleteFinished(olderThanDays retentionDays: Int, limit: Int = 1000) async throws -> Int {
        try await sql.affectedRows(
            """
            DELETE FROM webhook_deliveries WHERE id IN (
                SELECT id FROM webhook_deliveries WHERE status IN ('success', 'dead')
                  AND completed_at < now() - make_interval(days => \(retentionDays)::int)
                LIMIT \(limit) FOR UPDATE SKIP LOCKED) RETURNING id
            """)
    }
}

/// Who may claim which webhook deliveries: the broker's deliverer takes those without target labels
/// (NULL or empty); an agent takes those whose target labels it all carries, recording itself as
/// `acquired_by`.
extension ClaimFilter {
    public static let brokerDelivered = ClaimFilter(predicate: "target_labels IS NULL OR cardinality(target_labels) = 0")

    public static func agentDelivered(agentID: UUID, agentLabels: [String]) -> ClaimFilter {
        ClaimFilter(
            predicate: "cardinality(target_labels) > 0 AND target_labels <@ $6::text[]",
            assignments: "acquired_by = $7",
            appendBinds: { binds in
                binds.append(agentLabels)
                binds.append(agentID)
            })
    }

    /// The claim owner recorded for an agent's claims (`claimed_by` is text; workers use their own ids).
    public static func agentOwner(_ agentID: UUID) -> String { "agent:\(agentID.uuidString.lowercased())" }
}
