import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// /agents: registration, keys, heartbeats, target state and associated stacks.
enum AgentRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        // `/agents/?name=&cluster_name=` is the search (admin or the agent found). The router folds the
        // trailing slash, so both paths share this route: the slash (or a query) makes it the search,
        // whose parameters are required; the list itself stays admin-only.
        api.add(.get, "agents", .resourceChecked, failure: "Failed to fetch agents") { request, _, principal in
            let q = request.uri.queryParameters
            if request.uri.path.hasSuffix("/") || q["name"] != nil || q["cluster_name"] != nil {
                return try await search(request, principal, s)
            }
            guard principal.isAdmin else { throw APIError(.adminRequired, "Admin access required") }
            let agents = try await s.agents.list()
            let now = Date()
            var active = 0
            for (id, name, status, heartbeat) in try await s.agents.heartbeats() {
                if status == "ACTIVE" { active += 1 }
                if let heartbeat { s.metrics.setHeartbeatAge(agentID: id, agentName: name, seconds: now.timeIntervalSince(heartbeat)) }
            }
            s.metrics.activeAgents.set(Double(active))
            return try JSONResponse.encode(agents)
        }

        api.add(.post, "agents", .admin(), failure: "Failed to create agent") { request, _, principal in
            let new = try await request.decode(as: NewAgent.self)
            let created = try await AgentService(s: s).create(name: new.name, clusterName: new.clusterName, by: ChangeActor(principal, request))
            return try JSONResponse.encode(CreateAgentResponse(agent: created.agent, initialPak: created.pak), status: .created)
        }

        api.add(.get, "agents/:id", .adminOrAgentSelf(), failure: "Failed to fetch agent") { _, context, _ in
            guard let agent = try await s.agents.get(try context.uuid("id")) else { throw agentNotFound }
            return try JSONResponse.encode(agent)
        }

        api.add(.put, "agents/:id", .adminOrAgentSelf(), failure: "Failed to update agent") { request, context, principal in
            let id = try context.uuid("id")
            let update = try await request.decode(as: UpdateAgentRequest.self)
            return try JSONResponse.encode(try await AgentService(s: s).update(id, update, by: ChangeActor(principal, request)))
        }

        api.add(.delete, "agents/:id", .admin(), failure: "Failed to delete agent") { request, context, principal in
            try await AgentService(s: s).delete(try context.uuid("id"), by: ChangeActor(principal, request))
            return JSONResponse.empty(.noContent)
        }

        api.add(.post, "agents/:id/rotate-pak", .adminOrAgentSelf(), failure: "Failed to rotate agent PAK") { request, context, principal in
            let rotated = try await AgentService(s: s).rotateKey(try context.uuid("id"), by: ChangeActor(principal, request))
            return try JSONResponse.encode(RotateAgentPakResponse(agent: rotated.agent, pak: rotated.pak))
        }

        api.add(.post, "agents/:id/heartbeat", .agentSelf(), failure: "Failed to record agent heartbeat") { _, context, _ in
            let id = try context.uuid("id")
            guard let name = try await s.agents.recordHeartbeat(id) else { throw agentNotFound }
            s.metrics.setHeartbeatAge(agentID: id, agentName: name, seconds: 0)
            return JSONResponse.empty(.noContent)
        }

        api.add(.get, "agents/:id/target-state", .adminOrAgentSelf(), failure: "Failed to fetch target state") { request, context, _ in
            try await TargetStateRoute.get(request, agentID: try context.uuid("id"), channel: context.channel, s)
        }

        api.add(.get, "agents/:id/stacks", .adminOrAgentSelf(), failure: "Failed to fetch associated stacks") { _, context, _ in
            try JSONResponse.encode(try await s.stacks.associated(agentID: try context.uuid("id")))
        }
    }

    static let agentNotFound = AgentService.notFound

    /// GET /agents/?name=&cluster_name=: the admin, or the agent that is found. The parameters are
    /// checked before the role, as in the original.
    static func search(_ request: Request, _ principal: Principal, _ s: BrokerServices) async throws -> Response {
        guard let name = request.uri.queryParameters["name"], let cluster = request.uri.queryParameters["cluster_name"] else {
            throw APIError(.nameAndClusterRequired, "Both name and cluster_name query parameters are required")
        }
        guard principal.isAdmin || principal.agentID != nil else { throw APIError(.agentPakMismatch, "Only the admin or the agent may search") }
        guard let agent = try await s.agents.find(name: String(name), clusterName: String(cluster)) else {
            throw agentNotFound
        }
        guard principal.isAdmin || principal.agentID == agent.id else {
            throw APIError(.agentPakMismatch, "Only the admin or this agent may read it")
        }
        return try JSONResponse.encode(agent)
    }
}
