import Foundation

// The contract's Webhooks schemas (docs/openapi.json, components.schemas), field for field.

public struct WebhookResponse: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var hasURL: Bool
    public var hasAuthHeader: Bool
    public var eventTypes: [String]
    public var enabled: Bool
    public var maxRetries: Int
    public var timeoutSeconds: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var createdBy: String?
    public var filters: WebhookFilters?
    public var targetLabels: [String]?

    public init(
        id: UUID, name: String, hasURL: Bool, hasAuthHeader: Bool, eventTypes: [String], enabled: Bool, maxRetries: Int, timeoutSeconds: Int,
        createdAt: Date, updatedAt: Date, createdBy: String? = nil, filters: WebhookFilters? = nil, targetLabels: [String]? = nil
    ) {
        self.id = id
        self.name = name
        self.hasURL = hasURL
        self.hasAuthHeader = hasAuthHeader
        self.eventTypes = eventTypes
        self.enabled = enabled
        self.maxRetries = maxRetries
        self.timeoutSeconds = timeoutSeconds
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.createdBy = createdBy
        self.filters = filters
        self.targetLabels = targetLabels
    }

    enum CodingKeys: String, CodingKey {
        case id, name, hasURL = "has_url", hasAuthHeader = "has_auth_header", eventTypes = "event_types", enabled, maxRetries = "max_retries",
            timeoutSeconds = "timeout_seconds", createdAt = "created_at", updatedAt = "updated_at", createdBy = "created_by", filters, targetLabels =
            "target_labels"
    }
}

/// Filters for webhook subscriptions.
public struct WebhookFilters: Codable, Sendable, Equatable {
    /// Filter by specific agent ID.
    public var agentID: UUID?
    /// Filter by labels (all must match).
    public var labels: [String: String]?
    /// Filter by specific stack ID.
    public var stackID: UUID?

    public init(agentID: UUID? = nil, labels: [String: String]? = nil, stackID: UUID? = nil) {
        self.agentID = agentID
        self.labels = labels
        self.stackID = stackID
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", labels, stackID = "stack_id"
    }
}

public struct CreateWebhookRequest: Codable, Sendable, Equatable {
    public var name: String
    public var url: String
    public var eventTypes: [String]
    public var authHeader: String?
    public var filters: WebhookFilters?
    public var maxRetries: Int?
    public var targetLabels: [String]?
    public var timeoutSeconds: Int?
    /// `validate`: accepted for compatibility; URLs are always checked.
    public var validateURL: Bool?

    public init(
        name: String, url: String, eventTypes: [String], authHeader: String? = nil, filters: WebhookFilters? = nil, maxRetries: Int? = nil,
        targetLabels: [String]? = nil, timeoutSeconds: Int? = nil, validateURL: Bool? = nil
    ) {
        self.name = name
        self.url = url
        self.eventTypes = eventTypes
        self.authHeader = authHeader
        self.filters = filters
        self.maxRetries = maxRetries
        self.targetLabels = targetLabels
        self.timeoutSeconds = timeoutSeconds
        self.validateURL = validateURL
    }

    enum CodingKeys: String, CodingKey {
        case name, url, eventTypes = "event_types", authHeader = "auth_header", filters, maxRetries = "max_retries", targetLabels = "target_labels",
            timeoutSeconds = "timeout_seconds", validateURL = "validate"
    }
}

/// A webhook delivery record from the database.
public struct WebhookDelivery: Codable, Sendable, Equatable {
    /// Unique identifier for the delivery.
    public var id: UUID
    /// The subscription this delivery belongs to.
    public var subscriptionID: UUID
    /// The event type being delivered.
    public var eventType: String
    /// The event ID (idempotency key).
    public var eventID: UUID
    /// JSON-encoded event payload.
    public var payload: String
    /// Delivery status: pending, acquired, success, failed, dead.
    public var status: String
    /// Number of delivery attempts.
    public var attempts: Int
    /// When the delivery was created.
    public var createdAt: Date
    /// Agent ID that acquired this delivery (NULL = broker).
    public var acquiredBy: UUID?
    /// TTL for the acquisition - release if exceeded.
    public var acquiredUntil: Date?
    /// When the delivery completed (success or dead).
    public var completedAt: Date?
    /// When the last delivery attempt was made.
    public var lastAttemptAt: Date?
    /// Error message from last failed attempt.
    public var lastError: String?
    /// When to retry after failure.
    public var nextRetryAt: Date?
    /// Labels for delivery targeting (copied from subscription).
    public var targetLabels: [String]?

    public init(
        id: UUID, subscriptionID: UUID, eventType: String, eventID: UUID, payload: String, status: String, attempts: Int, createdAt: Date,
        acquiredBy: UUID? = nil, acquiredUntil: Date? = nil, completedAt: Date? = nil, lastAttemptAt: Date? = nil, lastError: String? = nil,
        nextRetryAt: Date? = nil, targetLabels: [String]? = nil
    ) {
        self.id = id
        self.subscriptionID = subscriptionID
        self.eventType = eventType
        self.eventID = eventID
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.createdAt = createdAt
        self.acquiredBy = acquiredBy
        self.acquiredUntil = acquiredUntil
        self.completedAt = completedAt
        self.lastAttemptAt = lastAttemptAt
        self.lastError = lastError
        self.nextRetryAt = nextRetryAt
        self.targetLabels = targetLabels
    }

    enum CodingKeys: String, CodingKey {
        case id, subscriptionID = "subscription_id", eventType = "event_type", eventID = "event_id", payload, status, attempts, createdAt =
            "created_at", acquiredBy = "acquired_by", acquiredUntil = "acquired_until", completedAt = "completed_at", lastAttemptAt =
            "last_attempt_at", lastError = "last_error", nextRetryAt = "next_retry_at", targetLabels = "target_labels"
    }
}

public struct PendingWebhookDelivery: Codable, Sendable, Equatable {
    public var id: UUID
    public var subscriptionID: UUID
    public var eventType: String
    public var payload: String
    public var url: String
    public var timeoutSeconds: Int
    public var maxRetries: Int
    public var attempts: Int
    public var authHeader: String?
    /// Addition: the event's id, sent as `X-Brokkr-Event-Id` (the receiver's idempotency key).
    public var eventID: UUID?
    /// Addition: the HMAC signature the agent sends as `X-Brokkr-Signature`.
    public var signature: String?
    /// Addition: the timestamped signature the agent sends as `X-Brokkr-Signature-256`, made when the
    /// delivery was claimed, and that time (unix seconds), sent as `X-Brokkr-Timestamp`.
    public var signature256: String?
    public var timestamp: Int?

    public init(
        id: UUID, subscriptionID: UUID, eventType: String, payload: String, url: String, timeoutSeconds: Int, maxRetries: Int, attempts: Int,
        authHeader: String? = nil, eventID: UUID? = nil, signature: String? = nil, signature256: String? = nil, timestamp: Int? = nil
    ) {
        self.id = id
        self.subscriptionID = subscriptionID
        self.eventType = eventType
        self.payload = payload
        self.url = url
        self.timeoutSeconds = timeoutSeconds
        self.maxRetries = maxRetries
        self.attempts = attempts
        self.authHeader = authHeader
        self.eventID = eventID
        self.signature = signature
        self.signature256 = signature256
        self.timestamp = timestamp
    }

    enum CodingKeys: String, CodingKey {
        case id, subscriptionID = "subscription_id", eventType = "event_type", payload, url, timeoutSeconds = "timeout_seconds", maxRetries =
            "max_retries", attempts, authHeader = "auth_header", eventID = "event_id", signature, signature256 = "signature_256", timestamp
    }
}

public struct DeliveryResultRequest: Codable, Sendable, Equatable {
    public var success: Bool
    public var durationMs: Int?
    public var error: String?
    public var statusCode: Int?

    public init(success: Bool, durationMs: Int? = nil, error: String? = nil, statusCode: Int? = nil) {
        self.success = success
        self.durationMs = durationMs
        self.error = error
        self.statusCode = statusCode
    }

    enum CodingKeys: String, CodingKey {
        case success, durationMs = "duration_ms", error, statusCode = "status_code"
    }
}
