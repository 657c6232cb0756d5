import BrokkrCommon
import Foundation
import Logging
import PostgresNIO

/// The process's Postgres pool, bound to one tenant schema. Every pooled connection starts with
/// `search_path` = the tenant schema (then `public`) and `TimeZone` = UTC, so SQL never names a schema
/// and JSON rendered by Postgres always carries `+00:00` timestamps.
public final class Database: Sendable {
    public let client: PostgresClient
    public let schema: String?
    public let logger: Logger
    /// Sees every statement run through `query`, `prepared` and transactions (the API's metrics).
    public let queries = QueryObserver()
    let connectionConfiguration: PostgresConnection.Configuration

    public init(url: String, schema: String?, poolSize: Int = 20, logger: Logger) throws {
        let base = try PostgresURL(url)
        var config = PostgresClient.Configuration(
            host: base.host, port: base.port, username: base.username, password: base.password,
            database: base.database, tls: .disable)
        var startup: [(String, String)] = [("TimeZone", "UTC"), ("application_name", "brokkr")]
        if let schema {
            try SchemaName.validate(schema)
            startup.append(("search_path", "\(schema),public"))
        }
        config.options.additionalStartupParameters = startup
        config.options.maximumConnections = poolSize
        config.options.minimumConnections = 0
        self.client = PostgresClient(configuration: config, backgroundLogger: logger)
        self.schema = schema
        self.logger = logger
        var single = PostgresConnection.Configuration(
            host: base.host, port: base.port, username: base.username, password: base.password,
            database: base.database, tls: .disable)
        single.options.additionalStartupParameters = startup
        self.connectionConfiguration = single
    }

    /// Runs the pool; must be running (in a task or a service group) while the database is used.
    public func run() async { await client.run() }

    /// Creates the tenant schema when one is configured. Runs on a dedicated connection whose
    /// search path does not yet need to exist.
    public func ensureSchema() async throws {
        guard let schema else { return }
        var config = connectionConfiguration
        config.options.additionalStartupParameters = [("TimeZone", "UTC")]
        let connection = try await PostgresConnection.connect(configuration: config, id: 0, logger: logger)
        defer { Task { try? await connection.close() } }
        // The name is validated by SchemaName (letters, digits, underscore), so it is safe to interpolate.
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger)
    }

    /// A dedicated connection outside the pool, for LISTEN (which must keep its connection).
    public func makeListenConnection() async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: connectionConfiguration, id: Int.random(in: 1...Int(Int32.max)), logger: logger)
    }

    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await queries.time(query.sql) { try await client.query(query, logger: logger) }
    }

    /// Runs `body` in one transaction; an error thrown by `body` rolls back and is rethrown as is.
    public func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(connection)
            }
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError { throw closureError }
            throw error
        }
    }
}

/// `postgres://user:password@host:port/database` as used by `BROKKR__DATABASE__URL`.
public struct PostgresURL: Sendable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?

    public init(_ text: String) throws {
        guard let components = URLComponents(string: text),
            components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, !host.isEmpty
        else {
            throw ConfigurationError("database.url must look like postgres://user:password@host:5432/database, got \"\(text)\"")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        self.password = components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.database = path.isEmpty ? nil : path
    }
}
