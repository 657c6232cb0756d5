import BrokkrCommon
import Foundation

/// Who may call a route, declared where the route is registered. `enforce` applies the role part
/// before the handler runs; policies marked `resourceChecked` also need the handler's check against
/// the loaded resource (stack owner, direct target, …), which the handler does with `Access`.
public struct AccessPolicy: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Admin only.
        case admin
        /// Any valid key.
        case anyAuthenticated
        /// Admin, or the agent named by the path's `id`/`agent_id`.
        case adminOrAgentSelf
        /// Only the agent named by the path (the admin is refused, as in the original).
        case agentSelf
        /// Admin, or the generator named by the path's `id`.
        case adminOrGeneratorSelf
        /// Admin or any generator; the handler scopes to the generator's own resources.
        case adminOrGenerator
        /// Admin, generators and agents pass the role gate; the handler checks ownership or a direct target.
        case adminOrRelated
        /// Admin or agents; the handler checks the agent is the resource's own (search, diagnostics).
        case adminOrAgent
    }

    public let kind: Kind
    public let denied: ErrorCode
    public let deniedMessage: String

    public static func admin(_ message: String = "Admin access required") -> AccessPolicy {
        AccessPolicy(kind: .admin, denied: .adminRequired, deniedMessage: message)
    }
    public static let anyAuthenticated = AccessPolicy(kind: .anyAuthenticated, denied: .unauthorized, deniedMessage: "Unauthorized")
    public static func adminOrAgentSelf(_ message: String = "Only the admin or this agent may do this") -> AccessPolicy {
        AccessPolicy(kind: .adminOrAgentSelf, denied: .agentPakMismatch, deniedMessage: message)
    }
    public static func agentSelf(_ message: String = "Only this agent may do this") -> AccessPolicy {
        AccessPolicy(kind: .agentSelf, denied: .agentPakMismatch, deniedMessage: message)
    }
    public static func adminOrGeneratorSelf(_ message: String = "Only the admin or this generator may do this") -> AccessPolicy {
        AccessPolicy(kind: .adminOrGeneratorSelf, denied: .generatorNotOwned, deniedMessage: message)
    }
    public static func adminOrGenerator(_ denied: ErrorCode, _ message: String = "Admin or generator access required") -> AccessPolicy {
        AccessPolicy(kind: .adminOrGenerator, denied: denied, deniedMessage: message)
    }
    /// Every role passes the gate; the handler checks the caller against the loaded resource.
    public static let resourceChecked = AccessPolicy(kind: .adminOrRelated, denied: .unauthorized, deniedMessage: "Access denied")
    public static func adminOrAgent(_ denied: ErrorCode, _ message: String = "Admin or agent access required") -> AccessPolicy {
        AccessPolicy(kind: .adminOrAgent, denied: denied, deniedMessage: message)
    }

    public var description: String { kind.rawValue }

    /// The role gate. `pathID` is the route's `id` (or `agent_id`) parameter when it has one.
    public func enforce(_ principal: Principal, pathID: UUID?) throws {
        let allowed: Bool
        switch kind {
        case .admin: allowed = principal.isAdmin
        case .anyAuthenticated: allowed = true
        case .adminOrAgentSelf: allowed = principal.isAdmin || (principal.agentID != nil && principal.agentID == pathID)
        case .agentSelf: allowed = principal.agentID != nil && principal.agentID == pathID
        case .adminOrGeneratorSelf: allowed = principal.isAdmin || (principal.generatorID != nil && principal.generatorID == pathID)
        case .adminOrGenerator: allowed = principal.isAdmin || principal.generatorID != nil
        case .adminOrRelated: allowed = true
        case .adminOrAgent: allowed = principal.isAdmin || principal.agentID != nil
        }
        guard allowed else { throw APIError(denied, deniedMessage) }
    }
}

/// Resource-level checks used by handlers after loading the resource.
enum Access {
    /// Admin, or the generator that owns the stack.
    static func requireStackOwner(_ principal: Principal, ownerID: UUID, denied: ErrorCode = .stackNotOwned) throws {
        guard principal.isAdmin || principal.generatorID == ownerID else {
            throw APIError(denied, "Only the admin or the stack's generator may do this")
        }
    }
}
