import Foundation

/// Who made an authenticated request. Exactly one role applies (the original's `AuthPayload`).
public enum Principal: Sendable, Hashable {
    case admin
    case agent(UUID)
    case generator(UUID)

    public var isAdmin: Bool {
        if case .admin = self { return true }
        return false
    }
    public var agentID: UUID? {
        if case .agent(let id) = self { return id }
        return nil
    }
    public var generatorID: UUID? {
        if case .generator(let id) = self { return id }
        return nil
    }

    /// Actor type and id as recorded in the audit log.
    public var actorType: String {
        switch self {
        case .admin: return "admin"
        case .agent: return "agent"
        case .generator: return "generator"
        }
    }

    public var actorID: UUID? {
        switch self {
        case .admin: return nil
        case .agent(let id), .generator(let id): return id
        }
    }
}
