import Foundation

// The contract's Generators schemas (docs/openapi.json, components.schemas), field for field.

/// Represents a generator in the Brokkr system.
public struct Generator: Codable, Sendable, Equatable {
    /// Unique identifier for the generator.
    public var id: UUID
    /// Timestamp of when the generator was created.
    public var createdAt: Date
    /// Timestamp of when the generator was last updated.
    public var updatedAt: Date
    /// Name of the generator.
    public var name: String
    /// Indicates whether the generator is currently active.
    public var isActive: Bool
    /// Timestamp of when the generator was deleted, if applicable.
    public var deletedAt: Date?
    /// Optional description of the generator.
    public var description: String?
    /// Timestamp of when the generator was last active.
    public var lastActiveAt: Date?

    public init(
        id: UUID, createdAt: Date, updatedAt: Date, name: String, isActive: Bool, deletedAt: Date? = nil, description: String? = nil,
        lastActiveAt: Date? = nil
    ) {
        self.id = id
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.name = name
        self.isActive = isActive
        self.deletedAt = deletedAt
        self.description = description
        self.lastActiveAt = lastActiveAt
    }

    enum CodingKeys: String, CodingKey {
        case id, createdAt = "created_at", updatedAt = "updated_at", name, isActive = "is_active", deletedAt = "deleted_at", description,
            lastActiveAt = "last_active_at"
    }
}

/// Represents the data required to create a new generator.
public struct NewGenerator: Codable, Sendable, Equatable {
    /// Name of the new generator.
    public var name: String
    /// Optional description of the new generator.
    public var description: String?

    public init(name: String, description: String? = nil) {
        self.name = name
        self.description = description
    }
}

/// Response for a successful generator creation or PAK rotation.
public struct CreateGeneratorResponse: Codable, Sendable, Equatable {
    /// The created generator.
    public var generator: Generator
    /// The Pre-Authentication Key for the generator.
    public var pak: String

    public init(generator: Generator, pak: String) {
        self.generator = generator
        self.pak = pak
    }
}

/// `PUT /generators/{id}`: the contract sends a whole `Generator`; the name and description are what
/// may change (an `id`, if sent, must be the path's).
public struct UpdateGeneratorRequest: Codable, Sendable, Equatable {
    public var id: UUID?
    public var name: String
    public var description: String?

    public init(id: UUID? = nil, name: String, description: String? = nil) {
        self.id = id
        self.name = name
        self.description = description
    }
}

extension NewGenerator: ValidatedRequest {
    public func validate() throws { try FieldRules.check(FieldRules.name(name, field: "Generator name"), .invalidGenerator) }
}

extension UpdateGeneratorRequest: ValidatedRequest {
    public func validate() throws { try FieldRules.check(FieldRules.name(name, field: "Generator name"), .invalidGenerator) }
}
