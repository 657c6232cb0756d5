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
            let (name, cluster) = (new.name, new.clusterName)
            let key = s.pakGenerator.generate()
            let agent = try await s.transaction { tx in
                let agent = try await AgentStore(sql: tx).create(name: name, clusterName: cluster, pakHash: key.hash)
                try await ResourceEvents.agentRegistered(tx, id: agent.id, name: name, cluster: cluster)
                try await s.audit(
                    tx, principal, "agent.created", resourceType: "agent", resourceID: agent.id,
                    details: .object(["name": .string(name), "cluster_name": .string(cluster)]), request: request)
                try await s.audit(tx, principal, "pak.created", resourceType: "agent", resourceID: agent.id, request: request)
                return agent
            }
            return try JSONResponse.encode(CreateAgentResponse(agent: agent, initialPak: key.pak), status: .created)
        }

        api.add(.get, "agents/:id", .adminOrAgentSelf(), failure: "Failed to fetch agent") { _, context, _ in
            guard let agent = try await s.agents.get(try context.uuid("id")) else { throw agentNotFound }
            return try JSONResponse.encode(agent)
        }

        api.add(.put, "agents/:id", .adminOrAgentSelf(), failure: "Failed to update agent") { request, context, principal in
            let id = try context.uuid("id")
            let update = try await request.decode(as: UpdateAgentRequest.self)
            let agent = try await s.transaction { tx -> Agent in
                guard let agent = try await AgentStore(sql: tx).update(id, name: update.name, clusterName: update.clusterName, status: update.status)
                else {
                    throw agentNotFound
                }
                try await s.audit(
                    tx, principal, "agent.updated", resourceType: "agent", resourceID: id,
                    details: .object([
                        "name": .string(agent.name), "cluster_name": .string(agent.clusterName),
                        "status": .string(agent.status),
                    ]), request: request)
                return agent
            }
            // A status change (e.g. deactivation) takes effect on the next request, not after the cache TTL.
            if update.status != nil { s.authCache.evict(principal: .agent(id)) }
            return try JSONResponse.encode(agent)
        }

        api.add(.delete, "agents/:id", .admin(), failure: "Failed to delete agent") { request, context, principal in
            let id = try context.uuid("id")
            let oldHash = try await s.transaction { tx -> String in
                guard let hash = try await AgentStore(sql: tx).softDelete(id) else { throw agentNotFound }
                try await ResourceEvents.agentDeregistered(tx, id: id)
                try await s.audit(tx, principal, "agent.deleted", resourceType: "agent", resourceID: id, request: request)
                try await s.audit(tx, principal, "pak.deleted", resourceType: "agent", resourceID: id, request: request)
                return hash
            }
            s.authCache.evict(oldHash)
            s.authCache.evict(principal: .agent(id))
            return JSONResponse.empty(.noContent)
        }

        api.add(.post, "agents/:id/rotate-pak", .adminOrAgentSelf(), failure: "Failed to rotate agent PAK") { request, context, principal in
            let id = try context.uuid("id")
            let key = s.pakGenerator.generate()
            let (oldHash, agent) = try await s.transaction { tx in
                guard let rotated = try await AgentStore(sql: tx).rotateKey(id, newHash: key.hash) else { throw agentNotFound }
                try await s.audit(
                    tx, principal, "pak.rotated", resourceType: "agent", resourceID: id,
                    details: .object(["agent_name": .string(rotated.agent.name)]), request: request)
                return (rotated.oldHash, rotated.agent)
            }
            s.authCache.evict(oldHash)
            return try JSONResponse.encode(RotateAgentPakResponse(agent: agent, pak: key.pak))
        }

        api.add(.post, "agents/:id/heartbeat", .agentSelf(), failure: "Failed to record agent heartbeat") { _, context, _ in
            let id = try context.uuid("id")
            guard let name = try await s.agents.recordHeartbeat(id) else { throw agentNotFound }
            s.metrics.setHeartbeatAge(agentID: id, agentName: name, seconds: 0)
            return JSONResponse.empty(.noContent)
        }

        api.add(.get, "agents/:id/target-state", .adminOrAgentSelf(), failure: "Failed to fetch target state") { request, context, _ in
            try await TargetStateRoute.get(request, agentID: try context.uuid("id"), s)
        }

        api.add(.get, "agents/:id/stacks", .adminOrAgentSelf(), failure: "Failed to fetch associated stacks") { _, context, _ in
            try JSONResponse.encode(try await s.stacks.associated(agentID: try context.uuid("id")))
        }
    }

    static let agentNotFound = APIError(.agentNotFound, "Agent not found")

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
