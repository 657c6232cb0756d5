import Foundation

extension WebhookResponse {
    /// `filters` is not nullable in the contract: without filters the key is left out, as Brokkr's
    /// serializer does. Every other field is written as usual (absent optionals as `null`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(hasURL, forKey: .hasURL)
        try c.encode(hasAuthHeader, forKey: .hasAuthHeader)
        try c.encode(eventTypes, forKey: .eventTypes)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(maxRetries, forKey: .maxRetries)
        try c.encode(timeoutSeconds, forKey: .timeoutSeconds)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encodeIfPresent(createdBy, forKey: .createdBy)
        if let filters { try c.encode(filters, forKey: .filters) }
        try c.encodeIfPresent(targetLabels, forKey: .targetLabels)
    }
}

/// `POST /webhooks` (201): the subscription plus its signing secret, shown this once.
public struct CreatedWebhookResponse: Codable, Sendable, Equatable {
    public var subscription: WebhookResponse
    public var signingSecret: String

    public init(subscription: WebhookResponse, signingSecret: String) {
        self.subscription = subscription
        self.signingSecret = signingSecret
    }

    enum CodingKeys: String, CodingKey { case signingSecret = "signing_secret" }

    public init(from decoder: any Decoder) throws {
        subscription = try WebhookResponse(from: decoder)
        signingSecret = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .signingSecret)
    }

    /// One flat object: the subscription's fields and `signing_secret`.
    public func encode(to encoder: any Encoder) throws {
        try subscription.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(signingSecret, forKey: .signingSecret)
    }
}

/// `POST /webhooks/{id}/test` (200): the queued test delivery.
public struct WebhookTestResponse: Codable, Sendable, Equatable {
    public var success: Bool
    public var message: String
    public var deliveryID: UUID
    public var eventID: UUID

    public init(success: Bool, message: String, deliveryID: UUID, eventID: UUID) {
        self.success = success
        self.message = message
        self.deliveryID = deliveryID
        self.eventID = eventID
    }

    enum CodingKeys: String, CodingKey {
        case success, message, deliveryID = "delivery_id", eventID = "event_id"
    }
}

/// `POST /webhook-deliveries/{id}/result` (200): where the delivery stands after the report.
public struct DeliveryResultResponse: Codable, Sendable, Equatable {
    public var status: String
    public var deliveryID: UUID
    /// With a failure: attempts so far, and when the next one is due while a retry is scheduled.
    public var attempts: Int?
    public var nextRetryAt: Date?

    public init(status: String, deliveryID: UUID, attempts: Int? = nil, nextRetryAt: Date? = nil) {
        self.status = status
        self.deliveryID = deliveryID
        self.attempts = attempts
        self.nextRetryAt = nextRetryAt
    }

    enum CodingKeys: String, CodingKey {
        case status, deliveryID = "delivery_id", attempts, nextRetryAt = "next_retry_at"
    }

    /// A success is `{status, delivery_id}`; a failure adds `attempts` and `next_retry_at` (`null`
    /// once no retry is scheduled).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(deliveryID, forKey: .deliveryID)
        guard let attempts else { return }
        try c.encode(attempts, forKey: .attempts)
        if let nextRetryAt { try c.encode(nextRetryAt, forKey: .nextRetryAt) } else { try c.encodeNil(forKey: .nextRetryAt) }
    }
}

/// Filters keep only the keys that were given, in storage and in responses.
extension WebhookFilters: OmitsAbsentFields {}
