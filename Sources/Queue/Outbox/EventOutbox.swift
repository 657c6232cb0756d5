import BrokkrCommon
import Foundation

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

/// Emits an event: one `webhook_deliveries` row per matching subscription (see
/// `WebhookDeliveryStore.fanOut` for the matching rules), written on the caller's transaction — in the
/// same transaction as the change that caused it, so a crash can never lose it — and a NOTIFY that
/// wakes the deliverers at commit. Returns the number of deliveries queued.
public enum EventOutbox {
    @discardableResult
    public static func emit(_ event: BrokkrEvent, agentID: UUID? = nil, stackID: UUID? = nil, on sql: any SQLExecutor) async throws -> Int {
        try await WebhookDeliveryStore(sql: sql).fanOut(event, agentID: agentID, stackID: stackID)
    }
}
