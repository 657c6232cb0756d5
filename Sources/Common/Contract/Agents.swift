import Foundation

// The contract's Agents schemas (docs/openapi.json, components.schemas), field for field.

/// Represents an agent in the database.
public struct Agent: Codable, Sendable, Equatable {
    /// Unique identifier for the agent.
    public var id: UUID
    /// Timestamp when the agent was created.
    public var createdAt: Date
    /// Timestamp when the agent was last updated.
    public var updatedAt: Date
    /// Name of the agent.
    public var name: String
    /// Name of the cluster the agent belongs to.
    public var clusterName: String
    /// Current status of the agent.
    public var status: String
    /// Timestamp for soft deletion, if applicable.
    public var deletedAt: Date?
    /// Timestamp of the last heartbeat received from the agent.
    public var lastHeartbeat: Date?

    public init(
        id: UUID, createdAt: Date, updatedAt: Date, name: String, clusterName: String, status: String, deletedAt: Date? = nil,
        lastHeartbeat: Date? = nil
    ) {
        self.id = id
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.name = name
        self.clusterName = clusterName
        self.status = status
        self.deletedAt = deletedAt
        self.lastHeartbeat = lastHeartbeat
    }

    enum CodingKeys: String, CodingKey {
        case id, createdAt = "created_at", updatedAt = "updated_at", name, clusterName = "cluster_name", status, deletedAt = "deleted_at",
            lastHeartbeat = "last_heartbeat"
    }
}

/// Represents a new agent to be inserted into the database.
public struct NewAgent: Codable, Sendable, Equatable {
    /// Name of the agent.
    public var name: String
    /// Name of the cluster the agent belongs to.
    public var clusterName: String

    public init(name: String, clusterName: String) {
        self.name = name
        self.clusterName = clusterName
    }

    enum CodingKeys: String, CodingKey {
        case name, clusterName = "cluster_name"
    }
}

/// Response body for [`create_agent`]: the newly-created agent plus the
public struct CreateAgentResponse: Codable, Sendable, Equatable {
    public var agent: Agent
    public var initialPak: String

    public init(agent: Agent, initialPak: String) {
        self.agent = agent
        self.initialPak = initialPak
    }

    enum CodingKeys: String, CodingKey {
        case agent, initialPak = "initial_pak"
    }
}

/// Represents an agent label in the database.
public struct AgentLabel: Codable, Sendable, Equatable {
    /// Unique identifier for the agent label.
    public var id: UUID
    /// ID of the agent this label is associated with.
    public var agentID: UUID
    /// The label text (max 64 characters, no whitespace).
    public var label: String

    public init(id: UUID, agentID: UUID, label: String) {
        self.id = id
        self.agentID = agentID
        self.label = label
    }

    enum CodingKeys: String, CodingKey {
        case id, agentID = "agent_id", label
    }
}

/// Represents a new agent label to be inserted into the database.
public struct NewAgentLabel: Codable, Sendable, Equatable {
    /// ID of the agent this label is associated with.
    public var agentID: UUID?
    /// The label text (max 64 characters, no whitespace).
    public var label: String

    public init(agentID: UUID? = nil, label: String) {
        self.agentID = agentID
        self.label = label
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", label
    }
}

/// Represents an agent annotation in the database.
public struct AgentAnnotation: Codable, Sendable, Equatable {
    /// Unique identifier for the annotation.
    public var id: UUID
    /// ID of the agent this annotation belongs to.
    public var agentID: UUID
    /// Key of the annotation (max 64 characters, no whitespace).
    public var key: String
    /// Value of the annotation (max 64 characters, no whitespace).
    public var value: String

    public init(id: UUID, agentID: UUID, key: String, value: String) {
        self.id = id
        self.agentID = agentID
        self.key = key
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case id, agentID = "agent_id", key, value
    }
}

/// Represents a new agent annotation to be inserted into the database.
public struct NewAgentAnnotation: Codable, Sendable, Equatable {
    /// ID of the agent this annotation belongs to.
    public var agentID: UUID?
    /// Key of the annotation (max 64 characters, no whitespace).
    public var key: String
    /// Value of the annotation (max 64 characters, no whitespace).
    public var value: String

    public init(agentID: UUID? = nil, key: String, value: String) {
        self.agentID = agentID
        self.key = key
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", key, value
    }
}

/// Represents an agent target in the database.
public struct AgentTarget: Codable, Sendable, Equatable {
    /// Unique identifier for the agent target.
    public var id: UUID
    /// ID of the agent associated with this target.
    public var agentID: UUID
    /// ID of the stack associated with this target.
    public var stackID: UUID

    public init(id: UUID, agentID: UUID, stackID: UUID) {
        self.id = id
        self.agentID = agentID
        self.stackID = stackID
    }

    enum CodingKeys: String, CodingKey {
        case id, agentID = "agent_id", stackID = "stack_id"
    }
}

/// Represents a new agent target to be inserted into the database.
public struct NewAgentTarget: Codable, Sendable, Equatable {
    /// ID of the agent to associate with a stack.
    public var agentID: UUID?
    /// ID of the stack to associate with an agent.
    public var stackID: UUID

    public init(agentID: UUID? = nil, stackID: UUID) {
        self.agentID = agentID
        self.stackID = stackID
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", stackID = "stack_id"
    }
}

/// Represents an agent event in the database.
public struct AgentEvent: Codable, Sendable, Equatable {
    /// Unique identifier for the event.
    public var id: UUID
    /// Timestamp when the event was created.
    public var createdAt: Date
    /// Timestamp when the event was last updated.
    public var updatedAt: Date
    /// ID of the agent associated with this event.
    public var agentID: UUID
    /// ID of the deployment object associated with this event.
    public var deploymentObjectID: UUID
    /// Type of the event.
    public var eventType: String
    /// Status of the event (e.g., "SUCCESS", "FAILURE", "IN_PROGRESS", "PENDING").
    public var status: String
    /// Timestamp for soft deletion, if applicable.
    public var deletedAt: Date?
    /// Optional message providing additional details about the event.
    public var message: String?

    public init(
        id: UUID, createdAt: Date, updatedAt: Date, agentID: UUID, deploymentObjectID: UUID, eventType: String, status: String,
        deletedAt: Date? = nil, message: String? = nil
    ) {
        self.id = id
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.agentID = agentID
        self.deploymentObjectID = deploymentObjectID
        self.eventType = eventType
        self.status = status
        self.deletedAt = deletedAt
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case id, createdAt = "created_at", updatedAt = "updated_at", agentID = "agent_id", deploymentObjectID = "deployment_object_id", eventType =
            "event_type", status, deletedAt = "deleted_at", message
    }
}

/// Represents a new agent event to be inserted into the database.
public struct NewAgentEvent: Codable, Sendable, Equatable {
    /// ID of the agent associated with this event.
    public var agentID: UUID?
    /// ID of the deployment object associated with this event.
    public var deploymentObjectID: UUID
    /// Type of the event.
    public var eventType: String
    /// Status of the event (e.g., "SUCCESS", "FAILURE").
    public var status: String
    /// Optional message providing additional details about the event.
    public var message: String?

    public init(agentID: UUID? = nil, deploymentObjectID: UUID, eventType: String, status: String, message: String? = nil) {
        self.agentID = agentID
        self.deploymentObjectID = deploymentObjectID
        self.eventType = eventType
        self.status = status
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", deploymentObjectID = "deployment_object_id", eventType = "event_type", status, message
    }
}

/// `PUT /agents/{id}`: the fields that may change; an absent field stays as it is.
public struct UpdateAgentRequest: Codable, Sendable, Equatable {
    public var name: String?
    public var clusterName: String?
    public var status: String?

    public init(name: String? = nil, clusterName: String? = nil, status: String? = nil) {
        self.name = name
        self.clusterName = clusterName
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case name, clusterName = "cluster_name", status
    }
}

/// `POST /agents/{id}/rotate-pak`: the agent and its new key (shown once).
public struct RotateAgentPakResponse: Codable, Sendable, Equatable {
    public var agent: Agent
    public var pak: String

    public init(agent: Agent, pak: String) {
        self.agent = agent
        self.pak = pak
    }
}

extension NewAgent: ValidatedRequest {
    public func validate() throws {
        try FieldRules.check(FieldRules.name(name, field: "Agent name") ?? FieldRules.name(clusterName, field: "Cluster name"), .invalidAgent)
    }
}

extension UpdateAgentRequest: ValidatedRequest {
    public func validate() throws {
        try FieldRules.check(
            name.flatMap { FieldRules.name($0, field: "Agent name") }
                ?? clusterName.flatMap { FieldRules.name($0, field: "Cluster name") }
                ?? status.flatMap { FieldRules.name($0, field: "status", maxLength: 64) }, .invalidAgent)
    }
}

extension NewAgentLabel: ValidatedRequest {
    public func validate() throws { try FieldRules.check(FieldRules.label(label), .invalidLabel) }
}

extension NewAgentAnnotation: ValidatedRequest {
    public func validate() throws { try FieldRules.check(FieldRules.annotation(key: key, value: value), .invalidAnnotation) }
}

extension NewAgentEvent: ValidatedRequest {
    public func validate() throws {
        try FieldRules.check(FieldRules.name(eventType, field: "Event type", maxLength: 255), .invalidAgentEvent)
        guard ["SUCCESS", "FAILURE"].contains(status.uppercased()) else {
            throw APIError(.invalidAgentEvent, "Invalid status. Must be one of: SUCCESS, FAILURE")
        }
    }
}

extension NewAgentLabel {
    /// `{"agent_id"?, "label"}`, or the bare JSON string that stack and template labels take.
    public init(from decoder: any Decoder) throws {
        let label = try LabelRequest(from: decoder).label
        // A bare string has no keyed container, so no agent_id; a malformed agent_id is still an error.
        let agentID = try (try? decoder.container(keyedBy: CodingKeys.self)).flatMap { try $0.decodeIfPresent(UUID.self, forKey: .agentID) }
        self.init(agentID: agentID, label: label)
    }
}
