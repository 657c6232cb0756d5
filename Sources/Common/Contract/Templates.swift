import Foundation

// The contract's Templates schemas (docs/openapi.json, components.schemas), field for field.

/// Represents a stack template in the database.
public struct StackTemplate: Codable, Sendable, Equatable {
    /// Unique identifier for the template.
    public var id: UUID
    /// Timestamp when the template was created.
    public var createdAt: Date
    /// Timestamp when the template was last updated.
    public var updatedAt: Date
    /// Name of the template.
    public var name: String
    /// Version number (auto-incremented per name+generator_id).
    public var version: Int
    /// Tera template content.
    public var templateContent: String
    /// JSON Schema for parameter validation.
    public var parametersSchema: String
    /// SHA-256 checksum of template_content.
    public var checksum: String
    /// Timestamp for soft deletion, if applicable.
    public var deletedAt: Date?
    /// Optional description of the template.
    public var description: String?
    /// Generator ID - NULL for system templates (admin-only).
    public var generatorID: UUID?

    public init(
        id: UUID, createdAt: Date, updatedAt: Date, name: String, version: Int, templateContent: String, parametersSchema: String, checksum: String,
        deletedAt: Date? = nil, description: String? = nil, generatorID: UUID? = nil
    ) {
        self.id = id
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.name = name
        self.version = version
        self.templateContent = templateContent
        self.parametersSchema = parametersSchema
        self.checksum = checksum
        self.deletedAt = deletedAt
        self.description = description
        self.generatorID = generatorID
    }

    enum CodingKeys: String, CodingKey {
        case id, createdAt = "created_at", updatedAt = "updated_at", name, version, templateContent = "template_content", parametersSchema =
            "parameters_schema", checksum, deletedAt = "deleted_at", description, generatorID = "generator_id"
    }
}

public struct CreateTemplateRequest: Codable, Sendable, Equatable {
    public var name: String
    public var templateContent: String
    public var parametersSchema: ParametersSchemaText
    public var description: String?

    public init(name: String, templateContent: String, parametersSchema: ParametersSchemaText, description: String? = nil) {
        self.name = name
        self.templateContent = templateContent
        self.parametersSchema = parametersSchema
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case name, templateContent = "template_content", parametersSchema = "parameters_schema", description
    }
}

public struct UpdateTemplateRequest: Codable, Sendable, Equatable {
    public var templateContent: String
    public var parametersSchema: ParametersSchemaText
    public var description: String?

    public init(templateContent: String, parametersSchema: ParametersSchemaText, description: String? = nil) {
        self.templateContent = templateContent
        self.parametersSchema = parametersSchema
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case templateContent = "template_content", parametersSchema = "parameters_schema", description
    }
}

/// Represents a template label in the database.
public struct TemplateLabel: Codable, Sendable, Equatable {
    /// Unique identifier for the template label.
    public var id: UUID
    /// ID of the template this label is associated with.
    public var templateID: UUID
    /// The label text (max 64 characters, no whitespace).
    public var label: String
    /// Timestamp when the label was created.
    public var createdAt: Date

    public init(id: UUID, templateID: UUID, label: String, createdAt: Date) {
        self.id = id
        self.templateID = templateID
        self.label = label
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, templateID = "template_id", label, createdAt = "created_at"
    }
}

/// Represents a template annotation in the database.
public struct TemplateAnnotation: Codable, Sendable, Equatable {
    /// Unique identifier for the template annotation.
    public var id: UUID
    /// ID of the template this annotation is associated with.
    public var templateID: UUID
    /// The annotation key (max 64 characters, no whitespace).
    public var key: String
    /// The annotation value (max 64 characters, no whitespace).
    public var value: String
    /// Timestamp when the annotation was created.
    public var createdAt: Date

    public init(id: UUID, templateID: UUID, key: String, value: String, createdAt: Date) {
        self.id = id
        self.templateID = templateID
        self.key = key
        self.value = value
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, templateID = "template_id", key, value, createdAt = "created_at"
    }
}

/// `parameters_schema` in a template request: the contract's JSON string, or the schema inline as an
/// object. Either way the template stores (and answers with) the text.
public struct ParametersSchemaText: Codable, Sendable, Equatable {
    public var text: String

    public init(_ text: String) { self.text = text }

    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let text = try? single.decode(String.self) {
            self.text = text
        } else if case .object(let schema) = try single.decode(JSONValue.self) {
            self.text = JSONValue.object(schema).serialized()
        } else {
            throw DecodingError.typeMismatch(
                String.self, .init(codingPath: decoder.codingPath, debugDescription: "parameters_schema must be a JSON string"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        try single.encode(text)
    }
}

extension CreateTemplateRequest: ValidatedRequest {
    public func validate() throws { try FieldRules.check(FieldRules.name(name, field: "Template name"), .invalidTemplateSyntax) }
}
