import BrokkrCommon
import BrokkrQueue
import Foundation

/// The CLI's writes (create/rotate), through the same services as the API (the same rows, audit
/// entries and events), with actor `system`.
public enum AdminCommands {
    public static func createAgent(_ database: Database, settings: Settings, name: String, clusterName: String) async throws -> (
        id: UUID, pak: String
    ) {
        if let problem = FieldRules.name(name, field: "Agent name") ?? FieldRules.name(clusterName, field: "Cluster name") {
            throw ConfigurationError(problem)
        }
        let created = try await AgentService(s: services(database, settings)).create(name: name, clusterName: clusterName, by: .system)
        return (created.agent.id, created.pak)
    }

    public static func createGenerator(_ database: Database, settings: Settings, name: String, description: String?) async throws -> (
        id: UUID, pak: String
    ) {
        if let problem = FieldRules.name(name, field: "Generator name") { throw ConfigurationError(problem) }
        let created = try await GeneratorService(s: services(database, settings)).create(name: name, description: description, by: .system)
        return (created.generator.id, created.pak)
    }

    /// The agent's new PAK, or nil when there is no such agent.
    public static func rotateAgent(_ database: Database, settings: Settings, id: UUID) async throws -> String? {
        try await ifFound { try await AgentService(s: services(database, settings)).rotateKey(id, by: .system).pak }
    }

    /// The generator's new PAK, or nil when there is no such generator.
    public static func rotateGenerator(_ database: Database, settings: Settings, id: UUID) async throws -> String? {
        try await ifFound { try await GeneratorService(s: services(database, settings)).rotateKey(id, by: .system).pak }
    }

    static func services(_ database: Database, _ settings: Settings) -> BrokerServices {
        BrokerServices(database: database, settings: settings, metrics: BrokerMetrics(), logger: database.logger)
    }

    static func ifFound<T>(_ body: () async throws -> T) async throws -> T? {
        do { return try await body() } catch let error as APIError where [.agentNotFound, .generatorNotFound].contains(error.code) { return nil }
    }
}
