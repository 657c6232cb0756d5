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

/// Fans an event out to the webhook subscriptions that match it, as `webhook_deliveries` rows written
/// on the caller's connection — in the same transaction as the change that caused the event, so a
/// crash can never lose it. Pattern rules (`*`, `prefix.*`, exact) and filters are evaluated in SQL.
public enum EventOutbox {
    @discardableResult
    public static func emit(_ event: BrokkrEvent, agentID: UUID? = nil, stackID: UUID? = nil,
                            on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("""
            INSERT INTO webhook_deliveries (subscription_id, event_type, event_id, payload, target_labels, max_attempts)
            SELECT s.id, \(event.eventType), \(event.id), \(event.payload), s.target_labels, GREATEST(s.max_retries, 1)
            FROM webhook_subscriptions s
            WHERE s.enabled
              AND EXISTS (
                SELECT 1 FROM unnest(s.event_types) AS p(pattern)
                WHERE p.pattern = '*' OR p.pattern = \(event.eventType)
                   OR (right(p.pattern, 2) = '.*' AND starts_with(\(event.eventType), left(p.pattern, -1))))
              AND (s.filters IS NULL OR s.filters::jsonb->>'agent_id' IS NULL OR s.filters::jsonb->>'agent_id' = \(agentID?.uuidString.lowercased()))
              AND (s.filters IS NULL OR s.filters::jsonb->>'stack_id' IS NULL OR s.filters::jsonb->>'stack_id' = \(stackID?.uuidString.lowercased()))
            ON CONFLICT (subscription_id, event_id) DO NOTHING
            RETURNING id
            """, logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        if count > 0 { try await WorkQueue.notify(QueueSpec.webhookDeliveries.channel, on: connection, logger: logger) }
        return count
    }
}
