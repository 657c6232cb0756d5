import Foundation

// The contract's Admin schemas (docs/openapi.json, components.schemas), field for field.

/// An audit log record from the database.
public struct AuditLog: Codable, Sendable, Equatable {
    /// Unique identifier for the log entry.
    public var id: UUID
    /// When the event occurred.
    public var timestamp: Date
    /// Type of actor: admin, agent, generator, system.
    public var actorType: String
    /// The action performed (e.g., "agent.created", "auth.failed").
    public var action: String
    /// Type of resource affected.
    public var resourceType: String
    /// When the record was created.
    public var createdAt: Date
    /// ID of the actor (NULL for system or unauthenticated).
    public var actorID: UUID?
    /// Additional structured details.
    public var details: JSONValue?
    /// Client IP address.
    public var ipAddress: String?
    /// ID of the affected resource (NULL if not applicable).
    public var resourceID: UUID?
    /// Client user agent string.
    public var userAgent: String?

    public init(
        id: UUID, timestamp: Date, actorType: String, action: String, resourceType: String, createdAt: Date, actorID: UUID? = nil,
        details: JSONValue? = nil, ipAddress: String? = nil, resourceID: UUID? = nil, userAgent: String? = nil
    ) {
        self.id = id
        self.timestamp = timestamp
        self.actorType = actorType
        self.action = action
        self.resourceType = resourceType
        self.createdAt = createdAt
        self.actorID = actorID
        self.details = details
        self.ipAddress = ipAddress
        self.resourceID = resourceID
        self.userAgent = userAgent
    }

    enum CodingKeys: String, CodingKey {
        case id, timestamp, actorType = "actor_type", action, resourceType = "resource_type", createdAt = "created_at", actorID = "actor_id", details,
            ipAddress = "ip_address", resourceID = "resource_id", userAgent = "user_agent"
    }
}

/// Response structure for audit log list operations.
public struct AuditLogListResponse: Codable, Sendable, Equatable {
    /// The audit log entries.
    public var logs: [AuditLog]
    /// Total count of matching entries (for pagination).
    public var total: Int
    /// Number of entries returned.
    public var count: Int
    /// Limit used for this query.
    public var limit: Int
    /// Offset used for this query.
    public var offset: Int

    public init(logs: [AuditLog], total: Int, count: Int, limit: Int, offset: Int) {
        self.logs = logs
        self.total = total
        self.count = count
        self.limit = limit
        self.offset = offset
    }
}

/// Represents the response structure for authentication information.
public struct AuthResponse: Codable, Sendable, Equatable {
    /// Indicates if the authenticated entity is an admin.
    public var admin: Bool
    /// The string representation of the agent's UUID, if applicable.
    public var agent: String?
    /// The string representation of the generator's UUID, if applicable.
    public var generator: String?

    public init(admin: Bool, agent: String? = nil, generator: String? = nil) {
        self.admin = admin
        self.agent = agent
        self.generator = generator
    }
}

/// Response structure for configuration reload operations.
public struct ConfigReloadResponse: Codable, Sendable, Equatable {
    /// Timestamp when the configuration was reloaded.
    public var reloadedAt: Date
    /// List of configuration changes detected during reload.
    public var changes: [ConfigChangeInfo]
    /// Indicates whether the reload was successful.
    public var success: Bool
    /// Optional message providing additional context.
    public var message: String?

    public init(reloadedAt: Date, changes: [ConfigChangeInfo], success: Bool, message: String? = nil) {
        self.reloadedAt = reloadedAt
        self.changes = changes
        self.success = success
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case reloadedAt = "reloaded_at", changes, success, message
    }
}

/// Information about a single configuration change.
public struct ConfigChangeInfo: Codable, Sendable, Equatable {
    /// The configuration key that changed.
    public var key: String
    /// The previous value (as a string representation).
    public var oldValue: String
    /// The new value (as a string representation).
    public var newValue: String

    public init(key: String, oldValue: String, newValue: String) {
        self.key = key
        self.oldValue = oldValue
        self.newValue = newValue
    }

    enum CodingKeys: String, CodingKey {
        case key, oldValue = "old_value", newValue = "new_value"
    }
}

/// Wire format for every 4xx/5xx response body in the v1 API.
public struct ErrorResponse: Codable, Sendable, Equatable {
    /// Stable, machine-readable error code (e.g. `agent_not_found`).
    public var code: String
    /// Human-readable message; not stable and may change between versions.
    public var message: String
    /// Optional structured context. Keys and value shapes are documented per
    public var details: JSONValue?
    /// The same text as `message`, kept for clients written before structured errors.
    public var error: String?

    public init(code: String, message: String, details: JSONValue? = nil, error: String? = nil) {
        self.code = code
        self.message = message
        self.details = details
        self.error = error
    }
}

/// `GET /api/v1/health`: the broker's own status and its database's.
public struct BrokerHealthResponse: Codable, Sendable, Equatable {
    public var status: String
    public var database: String
    public var version: String

    public init(status: String, database: String, version: String) {
        self.status = status
        self.database = database
        self.version = version
    }
}
