import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// An agent's events, labels, annotations and targets (/agents/{id}/…).
enum AgentResourceRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.get, "agents/:id/events", .adminOrAgentSelf(), failure: "Failed to fetch agent events") { _, context, _ in
            try JSONResponse.encode(try await s.agentEvents.list(agentID: try context.uuid("id")))
        }

        api.add(.post, "agents/:id/events", .adminOrAgentSelf(), failure: "Failed to create agent event") { request, context, principal in
            let agentID = try context.uuid("id")
            let new = try await request.decode(as: NewAgentEvent.self)
            try requireSameAgent(new.agentID, pathID: agentID, principal: principal)
            let event = try await DeploymentEventService(s: s).record(new, from: agentID)
            return try JSONResponse.encode(event, status: .created)
        }

        registerTags(api, s)

        api.add(.get, "agents/:id/targets", .adminOrAgentSelf(), failure: "Failed to fetch agent targets") { _, context, _ in
            try JSONResponse.encode(try await s.agentTargets.list(agentID: try context.uuid("id")))
        }

        // Targets are managed by the admin or by the generator that owns the stack; agents cannot
        // choose what they deploy.
        let manageTargets = AccessPolicy.adminOrGenerator(.targetCreateDenied, "Only the admin or the stack's generator may manage targets")
        api.add(.post, "agents/:id/targets", manageTargets, failure: "Failed to add agent target") { request, context, principal in
            let agentID = try context.uuid("id")
            let new = try await request.decode(as: NewAgentTarget.self)
            try requireSameAgent(new.agentID, pathID: agentID, principal: principal)
            try await requireTargetableStack(new.stackID, principal, s)
            guard try await s.agents.exists(agentID) else { throw AgentRoutes.agentNotFound }
            return try JSONResponse.encode(try await s.agentTargets.add(agentID: agentID, stackID: new.stackID), status: .created)
        }

        api.add(.delete, "agents/:id/targets/:stack_id", manageTargets, failure: "Failed to remove agent target") { _, context, principal in
            let stackID = try context.uuid("stack_id")
            try await requireTargetableStack(stackID, principal, s)
            guard try await s.agentTargets.remove(agentID: try context.uuid("id"), stackID: stackID) else {
                throw APIError(.agentTargetNotFound, "Target not found")
            }
            return JSONResponse.empty(.noContent)
        }
    }

    static func registerTags(_ api: APIRoutes, _ s: BrokerServices) {
        /// A body naming another agent is refused before the agent's existence is checked, as before.
        @Sendable func existingAgent(_ bodyAgentID: UUID?, _ agentID: UUID, _ principal: Principal) async throws {
            try requireSameAgent(bodyAgentID, pathID: agentID, principal: principal)
            guard try await s.agents.exists(agentID) else { throw AgentRoutes.agentNotFound }
        }
        TagRoutes<AgentLabel, AgentAnnotation>(
            collection: "agents", noun: "agent", tags: s.tags(.agent), readPolicy: .adminOrAgentSelf(), writePolicy: .admin(),
            readable: { context, _ in try context.uuid("id") },
            writable: { context, _ in try context.uuid("id") },
            label: { request, agentID, principal in
                let new = try await request.decode(as: NewAgentLabel.self)
                try await existingAgent(new.agentID, agentID, principal)
                return new.label
            },
            annotation: { request, agentID, principal in
                let new = try await request.decode(as: NewAgentAnnotation.self)
                try await existingAgent(new.agentID, agentID, principal)
                return (new.key, new.value)
            },
            labelNotFound: .agentLabelNotFound, annotationNotFound: .agentAnnotationNotFound
        ).register(api)
    }

    /// A body's `agent_id`, when given, must be the path's. The original stored the body's id, so an
    /// agent could write as another agent; here that is a 403 for agents and a 400 for the admin.
    static func requireSameAgent(_ bodyID: UUID?, pathID: UUID, principal: Principal) throws {
        guard let bodyID, bodyID != pathID else { return }
        if principal.agentID != nil { throw APIError(.agentIdMismatch, "An agent can only act as itself") }
        throw APIError(.invalidField, "Body agent_id does not match the path's agent id")
    }

    /// A generator may target only its own live stacks; the admin any stack (a missing one is the
    /// foreign-key error of the insert).
    static func requireTargetableStack(_ stackID: UUID, _ principal: Principal, _ s: BrokerServices) async throws {
        guard let generator = principal.generatorID else { return }
        guard let stack = try await s.stacks.get(stackID) else { throw StackRoutes.stackNotFound }
        guard stack.generatorID == generator else {
            throw APIError(.targetGeneratorMismatch, "A generator may only target stacks it owns")
        }
    }
}
