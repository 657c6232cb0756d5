import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// An agent's events, labels, annotations and targets (/agents/{id}/…).
enum AgentResourceRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.get, "agents/:id/events", .adminOrAgentSelf(), failure: "Failed to fetch agent events") { _, context, _ in
            JSONResponse.raw(try await s.agentEvents.listJSON(agentID: try context.uuid("id")))
        }

        api.add(.post, "agents/:id/events", .adminOrAgentSelf(), failure: "Failed to create agent event") { request, context, principal in
            let agentID = try context.uuid("id")
            let body = try await RequestBody.read(request)
            try requireSameAgent(body, pathID: agentID, principal: principal)
            let doID = try body.requiredUUID("deployment_object_id")
            let eventType = try body.requiredString("event_type")
            let status = try body.requiredString("status")
            let message = try body.optionalString("message")
            if let problem = FieldRules.name(eventType, field: "Event type", maxLength: 255) { throw APIError.badRequest(problem) }
            guard ["SUCCESS", "FAILURE"].contains(status.uppercased()) else {
                throw APIError.badRequest("Invalid status. Must be one of: SUCCESS, FAILURE")
            }
            let json = try await s.transaction { tx -> String in
                guard let object = try await DeploymentObjectStore(sql: tx).getIncludingDeleted(doID) else {
                    throw APIError.notFound("Deployment object not found")
                }
                let (event, json) = try await AgentEventStore(sql: tx).create(
                    agentID: agentID, deploymentObjectID: doID, eventType: eventType, status: status, message: message)
                var data: [String: JSONValue] = ["agent_event_id": event["id"] ?? .null]
                for key in ["agent_id", "deployment_object_id", "event_type", "status", "message", "created_at"] { data[key] = event[key] ?? .null }
                let type = status.uppercased() == "SUCCESS" ? "deployment.applied" : "deployment.failed"
                try await EventOutbox.emit(BrokkrEvent(eventType: type, data: .object(data)), agentID: agentID, stackID: object.stackID,
                                           on: tx.connection, logger: tx.logger)
                return json
            }
            return JSONResponse.raw(json)
        }

        registerTags(api, s)

        api.add(.get, "agents/:id/targets", .adminOrAgentSelf(), failure: "Failed to fetch agent targets") { _, context, _ in
            JSONResponse.raw(try await s.agentTargets.listJSON(agentID: try context.uuid("id")))
        }

        api.add(.post, "agents/:id/targets", .adminOrAgentSelf(), failure: "Failed to add agent target") { request, context, principal in
            let agentID = try context.uuid("id")
            let body = try await RequestBody.read(request)
            try requireSameAgent(body, pathID: agentID, principal: principal)
            let stackID = try body.requiredUUID("stack_id")
            guard try await s.agents.exists(agentID) else { throw APIError.notFound("Agent not found") }
            guard try await s.stacks.get(stackID) != nil else { throw APIError.notFound("Stack not found") }
            return JSONResponse.raw(try await s.agentTargets.add(agentID: agentID, stackID: stackID))
        }

        api.add(.delete, "agents/:id/targets/:stack_id", .adminOrAgentSelf(), failure: "Failed to remove agent target") { _, context, _ in
            guard try await s.agentTargets.remove(agentID: try context.uuid("id"), stackID: try context.uuid("stack_id")) else {
                throw APIError.notFound("Target not found")
            }
            return JSONResponse.empty(.noContent)
        }
    }

    static func registerTags(_ api: APIRoutes, _ s: BrokerServices) {
        let tags = s.tags(.agent)
        api.add(.get, "agents/:id/labels", .adminOrAgentSelf(), failure: "Failed to fetch agent labels") { _, context, _ in
            JSONResponse.raw(try await tags.labelsJSON(try context.uuid("id")))
        }
        api.add(.post, "agents/:id/labels", .admin(), failure: "Failed to add agent label") { request, context, principal in
            let agentID = try context.uuid("id")
            let body = try await RequestBody.read(request)
            try requireSameAgent(body, pathID: agentID, principal: principal)
            let label = try body.bareString(field: "label")
            if let problem = FieldRules.label(label) { throw APIError.badRequest(problem) }
            guard try await s.agents.exists(agentID) else { throw APIError.notFound("Agent not found") }
            return JSONResponse.raw(try await tags.addLabel(agentID, label))
        }
        api.add(.delete, "agents/:id/labels/:label", .admin(), failure: "Failed to remove agent label") { _, context, _ in
            guard try await tags.removeLabel(try context.uuid("id"), try context.string("label")) else { throw APIError.notFound("Label not found") }
            return JSONResponse.empty(.noContent)
        }
        api.add(.get, "agents/:id/annotations", .adminOrAgentSelf(), failure: "Failed to fetch agent annotations") { _, context, _ in
            JSONResponse.raw(try await tags.annotationsJSON(try context.uuid("id")))
        }
        api.add(.post, "agents/:id/annotations", .admin(), failure: "Failed to add agent annotation") { request, context, principal in
            let agentID = try context.uuid("id")
            let body = try await RequestBody.read(request)
            try requireSameAgent(body, pathID: agentID, principal: principal)
            let key = try body.requiredString("key"), value = try body.requiredString("value")
            if let problem = FieldRules.annotation(key: key, value: value) { throw APIError.badRequest(problem) }
            guard try await s.agents.exists(agentID) else { throw APIError.notFound("Agent not found") }
            return JSONResponse.raw(try await tags.addAnnotation(agentID, key: key, value: value))
        }
        api.add(.delete, "agents/:id/annotations/:key", .admin(), failure: "Failed to remove agent annotation") { _, context, _ in
            guard try await tags.removeAnnotation(try context.uuid("id"), key: try context.string("key")) else {
                throw APIError.notFound("Annotation not found")
            }
            return JSONResponse.empty(.noContent)
        }
    }

    /// A body's `agent_id`, when given, must be the path's. The original stored the body's id, so an
    /// agent could write as another agent; here that is a 403 for agents and a 400 for the admin.
    static func requireSameAgent(_ body: RequestBody, pathID: UUID, principal: Principal) throws {
        guard case .object = body.value, let bodyID = try body.optionalUUID("agent_id"), bodyID != pathID else { return }
        if principal.agentID != nil { throw APIError.forbidden("An agent can only act as itself") }
        throw APIError.badRequest("Agent ID mismatch")
    }
}
