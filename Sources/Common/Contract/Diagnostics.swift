import Foundation

// The contract's Diagnostics schemas (docs/openapi.json, components.schemas), field for field.

/// A diagnostic request record from the database.
public struct DiagnosticRequest: Codable, Sendable, Equatable {
    /// Unique identifier for the diagnostic request.
    public var id: UUID
    /// The agent that should handle this request.
    public var agentID: UUID
    /// The deployment object to gather diagnostics for.
    public var deploymentObjectID: UUID
    /// Status: pending, claimed, completed, failed, expired.
    public var status: String
    /// When the request was created.
    public var createdAt: Date
    /// When the request expires and should be cleaned up.
    public var expiresAt: Date
    /// When the agent claimed the request.
    public var claimedAt: Date?
    /// When the request was completed.
    public var completedAt: Date?
    /// Who requested the diagnostics (e.g., operator username).
    public var requestedBy: String?

    public init(
        id: UUID, agentID: UUID, deploymentObjectID: UUID, status: String, createdAt: Date, expiresAt: Date, claimedAt: Date? = nil,
        completedAt: Date? = nil, requestedBy: String? = nil
    ) {
        self.id = id
        self.agentID = agentID
        self.deploymentObjectID = deploymentObjectID
        self.status = status
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.claimedAt = claimedAt
        self.completedAt = completedAt
        self.requestedBy = requestedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, agentID = "agent_id", deploymentObjectID = "deployment_object_id", status, createdAt = "created_at", expiresAt = "expires_at",
            claimedAt = "claimed_at", completedAt = "completed_at", requestedBy = "requested_by"
    }
}

/// Request body for creating a diagnostic request.
public struct CreateDiagnosticRequest: Codable, Sendable, Equatable {
    /// The agent that should handle this request.
    public var agentID: UUID
    /// Who is requesting the diagnostics (optional).
    public var requestedBy: String?
    /// How long the request should be retained in minutes (default 60, max 1440).
    public var retentionMinutes: Int?

    public init(agentID: UUID, requestedBy: String? = nil, retentionMinutes: Int? = nil) {
        self.agentID = agentID
        self.requestedBy = requestedBy
        self.retentionMinutes = retentionMinutes
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", requestedBy = "requested_by", retentionMinutes = "retention_minutes"
    }
}

/// Response containing a diagnostic request with optional result.
public struct DiagnosticResponse: Codable, Sendable, Equatable {
    /// The diagnostic request.
    public var request: DiagnosticRequest
    /// The diagnostic result, if completed.
    public var result: DiagnosticResult?

    public init(request: DiagnosticRequest, result: DiagnosticResult? = nil) {
        self.request = request
        self.result = result
    }
}

/// A diagnostic result record from the database.
public struct DiagnosticResult: Codable, Sendable, Equatable {
    /// Unique identifier for the diagnostic result.
    public var id: UUID
    /// The diagnostic request this result belongs to.
    public var requestID: UUID
    /// JSON-encoded pod statuses.
    public var podStatuses: String
    /// JSON-encoded Kubernetes events.
    public var events: String
    /// When the diagnostics were collected by the agent.
    public var collectedAt: Date
    /// When the result was created in the database.
    public var createdAt: Date
    /// JSON-encoded log tails (optional).
    public var logTails: String?

    public init(id: UUID, requestID: UUID, podStatuses: String, events: String, collectedAt: Date, createdAt: Date, logTails: String? = nil) {
        self.id = id
        self.requestID = requestID
        self.podStatuses = podStatuses
        self.events = events
        self.collectedAt = collectedAt
        self.createdAt = createdAt
        self.logTails = logTails
    }

    enum CodingKeys: String, CodingKey {
        case id, requestID = "request_id", podStatuses = "pod_statuses", events, collectedAt = "collected_at", createdAt = "created_at", logTails =
            "log_tails"
    }
}

/// Request body for submitting diagnostic results.
public struct SubmitDiagnosticResult: Codable, Sendable, Equatable {
    /// JSON-encoded pod statuses.
    public var podStatuses: String
    /// JSON-encoded Kubernetes events.
    public var events: String
    /// When the diagnostics were collected.
    public var collectedAt: Date
    /// JSON-encoded log tails (optional).
    public var logTails: String?

    public init(podStatuses: String, events: String, collectedAt: Date, logTails: String? = nil) {
        self.podStatuses = podStatuses
        self.events = events
        self.collectedAt = collectedAt
        self.logTails = logTails
    }

    enum CodingKeys: String, CodingKey {
        case podStatuses = "pod_statuses", events, collectedAt = "collected_at", logTails = "log_tails"
    }
}

extension CreateDiagnosticRequest: ValidatedRequest {
    public func validate() throws {
        guard (1...1440).contains(retentionMinutes ?? 60) else {
            throw APIError(.invalidDiagnosticRequest, "retention_minutes must be between 1 and 1440")
        }
        if let requestedBy, requestedBy.utf8.count > 255 { throw APIError(.invalidDiagnosticRequest, "requested_by cannot exceed 255 characters") }
    }
}

extension SubmitDiagnosticResult: ValidatedRequest {
    public func validate() throws {
        for (name, text) in [("pod_statuses", podStatuses), ("events", events), ("log_tails", logTails ?? "null")] {
            guard (try? JSONValue.parse(text)) != nil else { throw APIError(.invalidDiagnosticResult, "\(name) must be JSON-encoded text") }
        }
    }
}
