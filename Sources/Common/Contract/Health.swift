import Foundation

// The contract's Health schemas (docs/openapi.json, components.schemas), field for field.

/// Represents a deployment health record in the database.
public struct DeploymentHealth: Codable, Sendable, Equatable {
    /// Unique identifier for the health record.
    public var id: UUID
    /// ID of the agent that reported this health status.
    public var agentID: UUID
    /// ID of the deployment object this health status applies to.
    public var deploymentObjectID: UUID
    /// Health status: healthy, degraded, failing, or unknown.
    public var status: String
    /// Timestamp when the agent last checked health.
    public var checkedAt: Date
    /// Timestamp when the record was created.
    public var createdAt: Date
    /// Timestamp when the record was last updated.
    public var updatedAt: Date
    /// JSON-encoded summary with pod counts, conditions, and resource details.
    public var summary: String?

    public init(
        id: UUID, agentID: UUID, deploymentObjectID: UUID, status: String, checkedAt: Date, createdAt: Date, updatedAt: Date, summary: String? = nil
    ) {
        self.id = id
        self.agentID = agentID
        self.deploymentObjectID = deploymentObjectID
        self.status = status
        self.checkedAt = checkedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.summary = summary
    }

    enum CodingKeys: String, CodingKey {
        case id, agentID = "agent_id", deploymentObjectID = "deployment_object_id", status, checkedAt = "checked_at", createdAt = "created_at",
            updatedAt = "updated_at", summary
    }
}

/// Response for deployment object health query.
public struct DeploymentHealthResponse: Codable, Sendable, Equatable {
    /// The deployment object ID.
    public var deploymentObjectID: UUID
    /// List of health records from different agents.
    public var healthRecords: [DeploymentHealth]
    /// Overall status (worst status across all agents).
    public var overallStatus: String

    public init(deploymentObjectID: UUID, healthRecords: [DeploymentHealth], overallStatus: String) {
        self.deploymentObjectID = deploymentObjectID
        self.healthRecords = healthRecords
        self.overallStatus = overallStatus
    }

    enum CodingKeys: String, CodingKey {
        case deploymentObjectID = "deployment_object_id", healthRecords = "health_records", overallStatus = "overall_status"
    }
}

/// Summary of health for a deployment object within a stack.
public struct DeploymentObjectHealthSummary: Codable, Sendable, Equatable {
    /// The deployment object ID.
    public var id: UUID
    /// Overall status for this deployment object.
    public var status: String
    /// Number of agents reporting healthy.
    public var healthyAgents: Int
    /// Number of agents reporting degraded.
    public var degradedAgents: Int
    /// Number of agents reporting failing.
    public var failingAgents: Int

    public init(id: UUID, status: String, healthyAgents: Int, degradedAgents: Int, failingAgents: Int) {
        self.id = id
        self.status = status
        self.healthyAgents = healthyAgents
        self.degradedAgents = degradedAgents
        self.failingAgents = failingAgents
    }

    enum CodingKeys: String, CodingKey {
        case id, status, healthyAgents = "healthy_agents", degradedAgents = "degraded_agents", failingAgents = "failing_agents"
    }
}

/// Health update for a single deployment object.
public struct DeploymentObjectHealthUpdate: Codable, Sendable, Equatable {
    /// The deployment object ID.
    public var id: UUID
    /// Health status: healthy, degraded, failing, or unknown.
    public var status: String
    /// When the health was checked.
    public var checkedAt: Date
    /// Structured health summary.
    public var summary: HealthSummary?

    public init(id: UUID, status: String, checkedAt: Date, summary: HealthSummary? = nil) {
        self.id = id
        self.status = status
        self.checkedAt = checkedAt
        self.summary = summary
    }

    enum CodingKeys: String, CodingKey {
        case id, status, checkedAt = "checked_at", summary
    }
}

/// Request body for updating health status from an agent.
public struct HealthStatusUpdate: Codable, Sendable, Equatable {
    /// List of deployment object health updates.
    public var deploymentObjects: [DeploymentObjectHealthUpdate]

    public init(deploymentObjects: [DeploymentObjectHealthUpdate]) {
        self.deploymentObjects = deploymentObjects
    }

    enum CodingKeys: String, CodingKey {
        case deploymentObjects = "deployment_objects"
    }
}

/// Structured health summary for serialization/deserialization.
public struct HealthSummary: Codable, Sendable, Equatable {
    /// Number of pods in ready state.
    public var podsReady: Int
    /// Total number of pods.
    public var podsTotal: Int
    /// List of detected problematic conditions (e.g., ImagePullBackOff).
    public var conditions: [String]
    /// Optional detailed resource status.
    public var resources: [ResourceHealth]?

    public init(podsReady: Int, podsTotal: Int, conditions: [String], resources: [ResourceHealth]? = nil) {
        self.podsReady = podsReady
        self.podsTotal = podsTotal
        self.conditions = conditions
        self.resources = resources
    }

    enum CodingKeys: String, CodingKey {
        case podsReady = "pods_ready", podsTotal = "pods_total", conditions, resources
    }
}

/// Health status for an individual Kubernetes resource.
public struct ResourceHealth: Codable, Sendable, Equatable {
    /// Resource kind (e.g., Deployment, StatefulSet).
    public var kind: String
    /// Resource name.
    public var name: String
    /// Resource namespace.
    public var namespace: String
    /// Whether the resource is ready.
    public var ready: Bool
    /// Optional status message.
    public var message: String?

    public init(kind: String, name: String, namespace: String, ready: Bool, message: String? = nil) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.ready = ready
        self.message = message
    }
}

/// Response for stack health query.
public struct StackHealthResponse: Codable, Sendable, Equatable {
    /// The stack ID.
    public var stackID: UUID
    /// Overall status for the stack.
    public var overallStatus: String
    /// Health per deployment object.
    public var deploymentObjects: [DeploymentObjectHealthSummary]

    public init(stackID: UUID, overallStatus: String, deploymentObjects: [DeploymentObjectHealthSummary]) {
        self.stackID = stackID
        self.overallStatus = overallStatus
        self.deploymentObjects = deploymentObjects
    }

    enum CodingKeys: String, CodingKey {
        case stackID = "stack_id", overallStatus = "overall_status", deploymentObjects = "deployment_objects"
    }
}

extension HealthStatusUpdate {
    /// As in the original, entries that are not valid reports (a bad id, status or timestamp) are
    /// skipped rather than failing the whole report.
    public init(from decoder: any Decoder) throws {
        var entries = try decoder.container(keyedBy: CodingKeys.self).nestedUnkeyedContainer(forKey: .deploymentObjects)
        var reports: [DeploymentObjectHealthUpdate] = []
        while !entries.isAtEnd {
            if let report = try? entries.decode(DeploymentObjectHealthUpdate.self), HealthStatusUpdate.statuses.contains(report.status) {
                reports.append(report)
            } else {
                _ = try? entries.decode(JSONValue.self)
            }
        }
        self.init(deploymentObjects: reports)
    }

    public static let statuses: Set<String> = ["healthy", "degraded", "failing", "unknown"]
}
