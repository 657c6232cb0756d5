import BrokkrCommon
import BrokkrQueue
import Foundation

/// The CLI's writes (create/rotate), through the same stores and audit outbox as the API, with
/// actor `system`.
public enum AdminCommands {
    public static func createAgent(_ database: Database, settings: Settings, name: String, clusterName: String) async throws -> (
        id: UUID, pak: String
    ) {
        if let problem = FieldRules.name(name, field: "Agent name") ?? FieldRules.name(clusterName, field: "Cluster name") {
            throw ConfigurationError(problem)
        }
        let key = PAKGenerator(settings: settings.pak).generate()
        let id = try await database.withTransaction { tx in
            let agent = try await AgentStore(sql: tx).create(name: name, clusterName: clusterName, pakHash: key.hash)
            try await ResourceEvents.agentRegistered(tx, id: agent.id, name: name, cluster: clusterName)
            try await AuditOutbox.write(
                AuditEntry(
                    actorType: "system", actorID: nil, action: "agent.created", resourceType: "agent",
                    resourceID: agent.id, details: .object(["name": .string(name), "cluster_name": .string(clusterName)])),
                on: tx)
            return agent.id
        }
        return (id, key.pak)
    }

    public static func createGenerator(_ database: Database, settings: Settings, name: String, description: String?) async throws -> (
        id: UUID, pak: String
    ) {
        if let problem = FieldRules.name(name, field: "Generator name") { throw ConfigurationError(problem) }
        let key = PAKGenerator(settings: settings.pak).generate()
        let id = try await database.withTransaction { tx in
            let id = try await GeneratorStore(sql: tx).create(name: name, description: description, pakHash: key.hash).id
            try await AuditOutbox.write(
                AuditEntry(
                    actorType: "system", actorID: nil, action: "generator.created", resourceType: "generator",
                    resourceID: id, details: .object(["name": .string(name)])),
                on: tx)
            return id
        }
        return (id, key.pak)
    }

    public static func rotateAgent(_ database: Database, settings: Settings, id: UUID) async throws -> String? {
        try await rotate(database, settings: settings, resourceType: "agent", id: id) { tx, hash in
            try await AgentStore(sql: tx).rotateKey(id, newHash: hash) != nil
        }
    }

    public static func rotateGenerator(_ database: Database, settings: Settings, id: UUID) async throws -> String? {
        try await rotate(database, settings: settings, resourceType: "generator", id: id) { tx, hash in
            try await GeneratorStore(sql: tx).rotateKey(id, newHash: hash) != nil
        }
    }

    /// Stores a new key hash with `replace` and audits it; returns the new PAK, or nil if nothing was found.
    static func rotate(
        _ database: Database, settings: Settings, resourceType: String, id: UUID,
        replace: @Sendable (Transaction, String) async throws -> Bool
    ) async throws -> String? {
        let key = PAKGenerator(settings: settings.pak).generate()
        let rotated = try await database.withTransaction { tx -> Bool in
            guard try await replace(tx, key.hash) else { return false }
            try await AuditOutbox.write(
                AuditEntry(actorType: "system", actorID: nil, action: "pak.rotated", resourceType: resourceType, resourceID: id),
                on: tx)
            return true
        }
        return rotated ? key.pak : nil
    }
}
