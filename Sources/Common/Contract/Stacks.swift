import Foundation

// The contract's Stacks schemas (docs/openapi.json, components.schemas), field for field.

/// Represents a stack in the database.
public struct Stack: Codable, Sendable, Equatable {
    /// Unique identifier for the stack.
    public var id: UUID
    /// Timestamp when the stack was created.
    public var createdAt: Date
    /// Timestamp when the stack was last updated.
    public var updatedAt: Date
    /// Name of the stack.
    public var name: String
    /// Optional generator ID.
    public var generatorID: UUID
    /// Timestamp for soft deletion, if applicable.
    public var deletedAt: Date?
    /// Optional description of the stack.
    public var description: String?

    public init(id: UUID, createdAt: Date, updatedAt: Date, name: String, generatorID: UUID, deletedAt: Date? = nil, description: String? = nil) {
        self.id = id
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.name = name
        self.generatorID = generatorID
        self.deletedAt = deletedAt
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case id, createdAt = "created_at", updatedAt = "updated_at", name, generatorID = "generator_id", deletedAt = "deleted_at", description
    }
}

/// Represents a new stack to be inserted into the database.
public struct NewStack: Codable, Sendable, Equatable {
    /// Name of the stack.
    public var name: String
    /// Optional generator ID.
    public var generatorID: UUID?
    /// Optional description of the stack.
    public var description: String?

    public init(name: String, generatorID: UUID? = nil, description: String? = nil) {
        self.name = name
        self.generatorID = generatorID
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case name, generatorID = "generator_id", description
    }
}

/// Represents a stack label in the database.
public struct StackLabel: Codable, Sendable, Equatable {
    /// Unique identifier for the stack label.
    public var id: UUID
    /// ID of the stack this label is associated with.
    public var stackID: UUID
    /// The label text (max 64 characters, no whitespace).
    public var label: String

    public init(id: UUID, stackID: UUID, label: String) {
        self.id = id
        self.stackID = stackID
        self.label = label
    }

    enum CodingKeys: String, CodingKey {
        case id, stackID = "stack_id", label
    }
}

/// Represents a stack annotation in the database.
public struct StackAnnotation: Codable, Sendable, Equatable {
    /// Unique identifier for the annotation.
    public var id: UUID
    /// ID of the stack this annotation belongs to.
    public var stackID: UUID
    /// Key of the annotation (max 64 characters, no whitespace).
    public var key: String
    /// Value of the annotation (max 64 characters, no whitespace).
    public var value: String

    public init(id: UUID, stackID: UUID, key: String, value: String) {
        self.id = id
        self.stackID = stackID
        self.key = key
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case id, stackID = "stack_id", key, value
    }
}

/// Represents a new stack annotation to be inserted into the database.
public struct NewStackAnnotation: Codable, Sendable, Equatable {
    /// ID of the stack this annotation belongs to.
    public var stackID: UUID?
    /// Key of the annotation (max 64 characters, no whitespace).
    public var key: String
    /// Value of the annotation (max 64 characters, no whitespace).
    public var value: String

    public init(stackID: UUID? = nil, key: String, value: String) {
        self.stackID = stackID
        self.key = key
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case stackID = "stack_id", key, value
    }
}

public struct AddAnnotationRequest: Codable, Sendable, Equatable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// `PUT /stacks/{id}`: the contract sends a whole `Stack`; absent fields stay as they are (an `id`,
/// if sent, must be the path's).
public struct UpdateStackRequest: Codable, Sendable, Equatable {
    public var id: UUID?
    public var name: String?
    public var description: String?
    public var generatorID: UUID?

    public init(id: UUID? = nil, name: String? = nil, description: String? = nil, generatorID: UUID? = nil) {
        self.id = id
        self.name = name
        self.description = description
        self.generatorID = generatorID
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description, generatorID = "generator_id"
    }
}

/// The body of `POST /stacks/{id}/labels` and `POST /templates/{id}/labels`: the contract's bare JSON
/// string, or `{"label": "..."}` as agents' labels take it.
public struct LabelRequest: Codable, Sendable, Equatable, ValidatedRequest {
    public var label: String

    public init(_ label: String) { self.label = label }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let label = try? single.decode(String.self) {
            self.label = label
            return
        }
        self.label = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .label)
    }

    public func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        try single.encode(label)
    }

    enum CodingKeys: String, CodingKey { case label }

    public func validate() throws { try FieldRules.check(FieldRules.label(label), .invalidLabel) }
}

extension NewStack: ValidatedRequest {
    public func validate() throws {
        try FieldRules.check(FieldRules.name(name, field: "Stack name"), .invalidStack)
        if let description, description.trimmingCharacters(in: .whitespaces).isEmpty { throw APIError(.invalidStack, "Description cannot be empty") }
    }
}

extension UpdateStackRequest: ValidatedRequest {
    public func validate() throws { try FieldRules.check(name.flatMap { FieldRules.name($0, field: "Stack name") }, .invalidStack) }
}

extension NewStackAnnotation: ValidatedRequest {
    public func validate() throws { try FieldRules.check(FieldRules.annotation(key: key, value: value), .invalidAnnotation) }
}

extension AddAnnotationRequest: ValidatedRequest {
    public func validate() throws { try FieldRules.check(FieldRules.annotation(key: key, value: value), .invalidAnnotation) }
}
