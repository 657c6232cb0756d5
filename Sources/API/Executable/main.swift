import ArgumentParser
import BrokkrAPI
import BrokkrCommon
import BrokkrQueue
import BrokkrRuntime
import Foundation
import Hummingbird
import Logging

/// `brokkr-api`: the broker's HTTP API and its admin CLI.
@main
struct BrokkrAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brokkr-api",
        abstract: "Brokkr broker: the HTTP API (serve) and admin commands.",
        discussion: """
            Configuration: defaults < TOML file (--config or BROKKR_CONFIG_FILE) < BROKKR__SECTION__KEY environment
            variables, e.g. BROKKR__DATABASE__URL, BROKKR__DATABASE__SCHEMA, BROKKR__BROKER__PORT, BROKKR__LOG__FORMAT=json.
            """,
        version: BrokkrVersion.current,
        subcommands: [Serve.self, Migrate.self, Create.self, Rotate.self],
        defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run migrations, provision the admin key on first start, and serve the API.")
    @OptionGroup var options: ConfigOptions
    @Option(help: "Listen address (default broker.host, 0.0.0.0).") var host: String?
    @Option(help: "Listen port (default broker.port, 3000).") var port: Int?

    func run() async throws {
        let (settings, logger) = try options.load(label: "brokkr-api")
        let database = try Database(settings, logger: logger)
        let services = BrokerServices(database: database, settings: settings, metrics: BrokerMetrics(), logger: logger)
        _ = try services.webhookCipherResult.get()  // a missing webhook key is a start-up error, not a random key
        let sighup = services.config.reloadOnSIGHUP { logger.info("\($0)") }
        defer { withExtendedLifetime(sighup) {} }
        logger.info("Auth cache TTL: \(settings.broker.authCacheTTLSeconds)s (\(settings.broker.authCacheTTLSeconds > 0 ? "enabled" : "disabled"))")
        let bindHost = host ?? settings.broker.host
        let bindPort = port ?? settings.broker.port
        var app = BrokerApplication.makeApplication(services, host: bindHost, port: bindPort)
        // Migrations and first-start provisioning run before the server listens; the pool is already running.
        app.beforeServerStarts {
            let prepared = try await Bootstrap.prepare(database, settings: settings, logger: logger)
            if let pak = prepared.adminPAK {
                let path = try Bootstrap.writeKeyFile(pak)
                // Written unbuffered: under a process manager stdout is a pipe and print() would hold it back.
                FileHandle.standardOutput.write(Data("Admin PAK: \(pak)\n(also written to \(path); it is shown only once)\n".utf8))
            }
            logger.info("Starting server on \(bindHost):\(bindPort)")
        }
        try await ProcessServices.run([.init(service: database), .init(service: app)], telemetry: settings.telemetry.broker, logger: logger)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")
    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let (settings, logger) = try options.load(label: "brokkr-api")
        let applied = try await Database.withDatabase(settings, poolSize: 2, logger: logger) { try await Migrator.migrate($0) }
        print(applied.isEmpty ? "Schema is up to date." : "Applied migrations: \(applied.map(String.init).joined(separator: ", "))")
    }
}

struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create an agent or a generator and print its PAK once.",
        subcommands: [CreateAgent.self, CreateGenerator.self])
}

struct CreateAgent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agent", abstract: "Create an agent.")
    @OptionGroup var options: ConfigOptions
    @Option(help: "Agent name.") var name: String
    @Option(name: [.customLong("cluster-name"), .customLong("cluster_name", withSingleDash: false)], help: "Cluster name.") var clusterName: String

    func run() async throws {
        let (settings, logger) = try options.load(label: "brokkr-api")
        let created = try await Database.withDatabase(settings, poolSize: 2, logger: logger) { database in
            try await AdminCommands.createAgent(database, settings: settings, name: name, clusterName: clusterName)
        }
        print(
            "Agent created successfully:\nID: \(created.id.uuidString.lowercased())\nName: \(name)\nCluster: \(clusterName)\nInitial PAK: \(created.pak)"
        )
    }
}

struct CreateGenerator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generator", abstract: "Create a generator.")
    @OptionGroup var options: ConfigOptions
    @Option(help: "Generator name (1-255 characters).") var name: String
    @Option(help: "Description.") var description: String?

    func run() async throws {
        let (settings, logger) = try options.load(label: "brokkr-api")
        let created = try await Database.withDatabase(settings, poolSize: 2, logger: logger) { database in
            try await AdminCommands.createGenerator(database, settings: settings, name: name, description: description)
        }
        print("Generator created successfully:\nID: \(created.id.uuidString.lowercased())\nName: \(name)\nInitial PAK: \(created.pak)")
    }
}

struct Rotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rotate a key and print the new PAK once (running brokers honour the old one for up to broker.auth_cache_ttl_seconds).",
        subcommands: [RotateAdmin.self, RotateAgent.self, RotateGenerator.self])
}

struct RotateAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "admin", abstract: "Rotate the admin PAK.")
    @OptionGroup var options: ConfigOptions
    func run() async throws {
        let (settings, logger) = try options.load(label: "brokkr-api")
        let pak = try await Database.withDatabase(settings, poolSize: 2, logger: logger) { database in
            try await Migrator.migrate(database)
            return try await Bootstrap.rotateAdmin(database, settings: settings, logger: logger)
        }
        print(pak.map { "New admin PAK: \($0)" } ?? "Admin key set from broker.pak_hash.")
    }
}

struct RotateAgent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agent", abstract: "Rotate an agent's PAK.")
    @OptionGroup var options: ConfigOptions
    @Option(help: "Agent id.") var uuid: String
    func run() async throws {
        try await rotateKey(options, uuid: uuid, kind: "agent", rotate: AdminCommands.rotateAgent)
    }
}

struct RotateGenerator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generator", abstract: "Rotate a generator's PAK.")
    @OptionGroup var options: ConfigOptions
    @Option(help: "Generator id.") var uuid: String
    func run() async throws {
        try await rotateKey(options, uuid: uuid, kind: "generator", rotate: AdminCommands.rotateGenerator)
    }
}

/// Shared by `rotate agent` and `rotate generator`: prints the new PAK once.
func rotateKey(
    _ options: ConfigOptions, uuid: String, kind: String,
    rotate: @escaping @Sendable (Database, Settings, UUID) async throws -> String?
) async throws {
    guard let id = UUID(uuidString: uuid) else { throw ValidationError("--uuid must be a UUID") }
    let (settings, logger) = try options.load(label: "brokkr-api")
    let pak = try await Database.withDatabase(settings, poolSize: 2, logger: logger) { database in
        try await rotate(database, settings, id)
    }
    guard let pak else { throw ValidationError("\(kind.capitalized) not found") }
    print("New \(kind) PAK: \(pak)")
}
