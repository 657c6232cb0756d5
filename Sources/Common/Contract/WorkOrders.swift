import Foundation

// The contract's WorkOrders schemas (docs/openapi.json, components.schemas), field for field.

/// Represents an active work order in the queue.
public struct WorkOrder: Codable, Sendable, Equatable {
    /// Unique identifier for the work order.
    public var id: UUID
    /// Timestamp when the work order was created.
    public var createdAt: Date
    /// Timestamp when the work order was last updated.
    public var updatedAt: Date
    /// Type of work (e.g., "build", "test", "backup").
    public var workType: String
    /// Multi-document YAML content (e.g., Build + WorkOrder definitions).
    public var yamlContent: String
    /// Queue status: PENDING, CLAIMED, or RETRY_PENDING.
    public var status: String
    /// Seconds before a claimed work order is considered stale.
    public var claimTimeoutSeconds: Int
    /// Maximum number of retry attempts.
    public var maxRetries: Int
    /// Current retry count.
    public var retryCount: Int
    /// Base backoff seconds for exponential retry calculation.
    public var backoffSeconds: Int
    /// Timestamp when the work order was claimed.
    public var claimedAt: Date?
    /// ID of the agent that claimed this work order (if any).
    public var claimedBy: UUID?
    /// Most recent error message from failed execution attempt.
    public var lastError: String?
    /// Timestamp of the most recent failure.
    public var lastErrorAt: Date?
    /// Timestamp when RETRY_PENDING work order becomes PENDING again.
    public var nextRetryAfter: Date?

    public init(
        id: UUID, createdAt: Date, updatedAt: Date, workType: String, yamlContent: String, status: String, claimTimeoutSeconds: Int, maxRetries: Int,
        retryCount: Int, backoffSeconds: Int, claimedAt: Date? = nil, claimedBy: UUID? = nil, lastError: String? = nil, lastErrorAt: Date? = nil,
        nextRetryAfter: Date? = nil
    ) {
        self.id = id
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.workType = workType
        self.yamlContent = yamlContent
        self.status = status
        self.claimTimeoutSeconds = claimTimeoutSeconds
        self.maxRetries = maxRetries
        self.retryCount = retryCount
        self.backoffSeconds = backoffSeconds
        self.claimedAt = claimedAt
        self.claimedBy = claimedBy
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
        self.nextRetryAfter = nextRetryAfter
    }

    enum CodingKeys: String, CodingKey {
        case id, createdAt = "created_at", updatedAt = "updated_at", workType = "work_type", yamlContent = "yaml_content", status,
            claimTimeoutSeconds = "claim_timeout_seconds", maxRetries = "max_retries", retryCount = "retry_count", backoffSeconds = "backoff_seconds",
            claimedAt = "claimed_at", claimedBy = "claimed_by", lastError = "last_error", lastErrorAt = "last_error_at", nextRetryAfter =
            "next_retry_after"
    }
}

/// Represents a completed work order in the audit log.
public struct WorkOrderLog: Codable, Sendable, Equatable {
    /// Original work order ID.
    public var id: UUID
    /// Type of work.
    public var workType: String
    /// Timestamp when the work order was created.
    public var createdAt: Date
    /// Timestamp when the work order completed.
    public var completedAt: Date
    /// Whether the work completed successfully.
    public var success: Bool
    /// Number of retry attempts before completion.
    public var retriesAttempted: Int
    /// Original YAML content for debugging/reconstruction.
    public var yamlContent: String
    /// Timestamp when the work order was claimed.
    public var claimedAt: Date?
    /// ID of the agent that executed this work order.
    public var claimedBy: UUID?
    /// Result message (image digest on success, error details on failure).
    public var resultMessage: String?

    public init(
        id: UUID, workType: String, createdAt: Date, completedAt: Date, success: Bool, retriesAttempted: Int, yamlContent: String,
        claimedAt: Date? = nil, claimedBy: UUID? = nil, resultMessage: String? = nil
    ) {
        self.id = id
        self.workType = workType
        self.createdAt = createdAt
        self.completedAt = completedAt
        self.success = success
        self.retriesAttempted = retriesAttempted
        self.yamlContent = yamlContent
        self.claimedAt = claimedAt
        self.claimedBy = claimedBy
        self.resultMessage = resultMessage
    }

    enum CodingKeys: String, CodingKey {
        case id, workType = "work_type", createdAt = "created_at", completedAt = "completed_at", success, retriesAttempted = "retries_attempted",
            yamlContent = "yaml_content", claimedAt = "claimed_at", claimedBy = "claimed_by", resultMessage = "result_message"
    }
}

public struct CreateWorkOrderRequest: Codable, Sendable, Equatable {
    public var workType: String
    public var yamlContent: String
    public var backoffSeconds: Int?
    public var claimTimeoutSeconds: Int?
    public var maxRetries: Int?
    public var targetAgentIDs: [UUID]?
    public var targeting: WorkOrderTargeting?

    public init(
        workType: String, yamlContent: String, backoffSeconds: Int? = nil, claimTimeoutSeconds: Int? = nil, maxRetries: Int? = nil,
        targetAgentIDs: [UUID]? = nil, targeting: WorkOrderTargeting? = nil
    ) {
        self.workType = workType
        self.yamlContent = yamlContent
        self.backoffSeconds = backoffSeconds
        self.claimTimeoutSeconds = claimTimeoutSeconds
        self.maxRetries = maxRetries
        self.targetAgentIDs = targetAgentIDs
        self.targeting = targeting
    }

    enum CodingKeys: String, CodingKey {
        case workType = "work_type", yamlContent = "yaml_content", backoffSeconds = "backoff_seconds", claimTimeoutSeconds = "claim_timeout_seconds",
            maxRetries = "max_retries", targetAgentIDs = "target_agent_ids", targeting
    }
}

public struct WorkOrderTargeting: Codable, Sendable, Equatable {
    public var agentIDs: [UUID]?
    public var annotations: [String: String]?
    public var labels: [String]?

    public init(agentIDs: [UUID]? = nil, annotations: [String: String]? = nil, labels: [String]? = nil) {
        self.agentIDs = agentIDs
        self.annotations = annotations
        self.labels = labels
    }

    enum CodingKeys: String, CodingKey {
        case agentIDs = "agent_ids", annotations, labels
    }
}

public struct ClaimWorkOrderRequest: Codable, Sendable, Equatable {
    public var agentID: UUID

    public init(agentID: UUID) {
        self.agentID = agentID
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
    }
}

public struct CompleteWorkOrderRequest: Codable, Sendable, Equatable {
    public var success: Bool
    public var message: String?
    public var retryable: Bool?

    public init(success: Bool, message: String? = nil, retryable: Bool? = nil) {
        self.success = success
        self.message = message
        self.retryable = retryable
    }
}

/// `POST /work-orders/{id}/complete` (202) when a retryable failure was scheduled for a retry
/// instead of being logged.
public struct WorkOrderRetryScheduled: Codable, Sendable, Equatable {
    public var status: String

    public init(status: String = "retry_scheduled") { self.status = status }
}
