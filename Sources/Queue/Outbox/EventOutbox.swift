import BrokkrCommon
import Foundation
import Logging
import PostgresNIO

/// A Brokkr event (`{id, event_type, timestamp, data}`), the payload of webhook deliveries.
public struct BrokkrEvent: Sendable {
    public let id: UUID
    public let eventType: String
    public let timestamp: Date
    public let data: JSONValue

    public init(eventType: String, data: JSONValue, id: UUID = UUID(), timestamp: Date = Date()) {
        self.id = id
        self.eventType = eventType
        self.timestamp = timestamp
        self.data = data
    }

    public var payload: String {
        JSONValue.object([
            "id": .string(id.uuidString.lowercased()),
            "event_type": .string(eventType),
            "timestamp": .string(RFC3339.string(from: timestamp)),
            "data": data,
        ]).serialized()
    }
}

/// The event types subscriptions can name, in the order `/webhooks/event-types` lists them.
public enum BrokkrEventType {
    public static let all = [
        "agent.registered", "agent.deregistered", "stack.created", "stack.deleted",
        "deployment.created", "deployment.applied", "deployment.failed", "deployment.deleted",
        "workorder.created", "workorder.claimed", "workorder.completed", "workorder.failed",
    ]
    /// Sent by `POST /webhooks/{id}/test` only; not subscribable.
    public static let test = "webhook.test"
}

/// Fans an event out to the webhook subscriptions that match it, as `webhook_deliveries` rows written
/// on the caller's connection — in the same transaction as the change that caused it, so a crash can
/// never lose it. Evaluated in SQL:
/// - patterns: `*`, `prefix.*` (prefix then a dot), or the exact type;
/// - `filters.agent_id` / `filters.stack_id`: the event must concern that agent / stack;
/// - `filters.labels` `{k: v}`: every pair must be carried by the event's agent or stack, as an
///   annotation `k`=`v` or a label `k=v` / `k:v` (Brokkr's two label spellings);
/// - `target_labels` are copied (an empty list is stored as NULL: the broker delivers);
/// - the current trace's `traceparent` is stored, for the delivery's span to continue it.
public enum EventOutbox {
    @discardableResult
    public static func emit(
        _ event: BrokkrEvent, agentID: UUID? = nil, stackID: UUID? = nil,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Int {
        let rows = try await connection.query(
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
            """, logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        if count > 0 { try await WorkQueue.notify(QueueSpec.webhookDeliveries.channel, on: connection, logger: logger) }
        return count
    }
}
