import Foundation

// The contract's DeploymentObjects schemas (docs/openapi.json, components.schemas), field for field.

/// Represents a deployment object in the database.
public struct DeploymentObject: Codable, Sendable, Equatable {
    /// Unique identifier for the deployment object.
    public var id: UUID
    /// Timestamp when the deployment object was created.
    public var createdAt: Date
    /// Timestamp when the deployment object was last updated.
    public var updatedAt: Date
    /// Auto-incrementing sequence number for ordering.
    public var sequenceID: Int
    /// ID of the stack this deployment object belongs to.
    public var stackID: UUID
    /// YAML content of the deployment.
    public var yamlContent: String
    /// SHA-256 checksum of the YAML content.
    public var yamlChecksum: String
    /// Timestamp when the deployment was submitted.
    public var submittedAt: Date
    /// Indicates if this object marks a deletion.
    public var isDeletionMarker: Bool
    /// Timestamp for soft deletion, if applicable.
    public var deletedAt: Date?

    public init(
        id: UUID, createdAt: Date, updatedAt: Date, sequenceID: Int, stackID: UUID, yamlContent: String, yamlChecksum: String, submittedAt: Date,
        isDeletionMarker: Bool, deletedAt: Date? = nil
    ) {
        self.id = id
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.sequenceID = sequenceID
        self.stackID = stackID
        self.yamlContent = yamlContent
        self.yamlChecksum = yamlChecksum
        self.submittedAt = submittedAt
        self.isDeletionMarker = isDeletionMarker
        self.deletedAt = deletedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, createdAt = "created_at", updatedAt = "updated_at", sequenceID = "sequence_id", stackID = "stack_id", yamlContent = "yaml_content",
            yamlChecksum = "yaml_checksum", submittedAt = "submitted_at", isDeletionMarker = "is_deletion_marker", deletedAt = "deleted_at"
    }
}

/// Wire DTO for creating a deployment object via the public API.
public struct CreateDeploymentObjectRequest: Codable, Sendable, Equatable {
    /// YAML content of the deployment.
    public var yamlContent: String
    /// Optional. Defaults to false.
    public var isDeletionMarker: Bool?

    public init(yamlContent: String, isDeletionMarker: Bool? = nil) {
        self.yamlContent = yamlContent
        self.isDeletionMarker = isDeletionMarker
    }

    enum CodingKeys: String, CodingKey {
        case yamlContent = "yaml_content", isDeletionMarker = "is_deletion_marker"
    }
}

public struct TemplateInstantiationRequest: Codable, Sendable, Equatable {
    public var templateID: UUID
    public var parameters: JSONValue?

    public init(templateID: UUID, parameters: JSONValue? = nil) {
        self.templateID = templateID
        self.parameters = parameters
    }

    enum CodingKeys: String, CodingKey {
        case templateID = "template_id", parameters
    }
}

extension CreateDeploymentObjectRequest: ValidatedRequest {
    public func validate() throws {
        // A deletion marker may be empty: it means "remove everything of this stack".
        if isDeletionMarker != true, yamlContent.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw APIError(.invalidDeploymentObject, "YAML content cannot be empty")
        }
        if let problem = YAMLDocuments.problem(in: yamlContent) {
            throw APIError(.invalidDeploymentObject, "Invalid YAML in yaml_content: \(problem)")
        }
    }
}
