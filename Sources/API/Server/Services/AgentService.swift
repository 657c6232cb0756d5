import BrokkrCommon
import BrokkrQueue
import Foundation

/// Every change to an agent, with its audit entries, events and key-cache evictions, whichever path
/// makes it (the API or the command line).
struct AgentService {
    let s: BrokerServices

    static let notFound = APIError(.agentNotFound, "Agent not found")

    /// A new agent and its initial PAK (shown once).
    func create(name: String, clusterName: String, by actor: ChangeActor) async throws -> (agent: Agent, pak: String) {
        let key = s.pakGenerator.generate()
        let agent = try await s.change(by: actor) { change in
            let agent = try await AgentStore(sql: change.tx).create(name: name, clusterName: clusterName, pakHash: key.hash)
            try await change.emit(
                BrokkrEvent(
                    eventType: "agent.registered",
                    data: .object(["agent_id": .string(agent.id.lowercasedString), "name": .string(name), "cluster": .string(clusterName)])),
                agentID: agent.id)
            try await change.audit(
                "agent.created", "agent", agent.id, details: .object(["name": .string(name), "cluster_name": .string(clusterName)]))
            try await change.audit("pak.created", "agent", agent.id)
            return agent
        }
        return (agent, key.pak)
    }

    func update(_ id: UUID, _ update: UpdateAgentRequest, by actor: ChangeActor) async throws -> Agent {
        let agent = try await s.change(by: actor) { change in
            guard
                let agent = try await AgentStore(sql: change.tx).update(id, name: update.name, clusterName: update.clusterName, status: update.status)
            else { throw Self.notFound }
            try await change.audit(
                "agent.updated", "agent", id,
                details: .object(["name": .string(agent.name), "cluster_name": .string(agent.clusterName), "status": .string(agent.status)]))
            return agent
        }
        // A status change (e.g. deactivation) takes effect on the next request, not after the cache TTL.
        if update.status != nil { s.authCache.evict(principal: .agent(id)) }
        return agent
    }

    func delete(_ id: UUID, by actor: ChangeActor) async throws {
        let oldHash = try await s.change(by: actor) { change -> String in
            let store = AgentStore(sql: change.tx)
            guard let hash = try await store.softDelete(id) else { throw Self.notFound }
            let name = try await store.name(id)
            try await change.emit(
                BrokkrEvent(
                    eventType: "agent.deregistered",
                    data: .object(["agent_id": .string(id.lowercasedString), "name": name.map(JSONValue.string) ?? .null])), agentID: id)
            try await change.audit("agent.deleted", "agent", id)
            try await change.audit("pak.deleted", "agent", id)
            return hash
        }
        s.authCache.evict(oldHash)
        s.authCache.evict(principal: .agent(id))
    }

    /// A new PAK for the agent (shown once); the old one stops working at once on this replica.
    func rotateKey(_ id: UUID, by actor: ChangeActor) async throws -> (agent: Agent, pak: String) {
        let (agent, pak) = try await s.rotateKey(by: actor) { change, newHash in
            guard let rotated = try await AgentStore(sql: change.tx).rotateKey(id, newHash: newHash) else { throw Self.notFound }
            try await change.audit("pak.rotated", "agent", id, details: .object(["agent_name": .string(rotated.agent.name)]))
            return (rotated.oldHash, rotated.agent)
        }
        return (agent, pak)
    }
}
