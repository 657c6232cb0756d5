import BrokkrCommon
import BrokkrQueue
import Foundation
import Logging
import PostgresNIO

/// Each test gets its own Postgres schema on the server the test command started
/// (`BROKKR_TEST_DATABASE_URL`), so tests run in parallel without seeing each other's rows.
enum TestDatabase {
    static var url: String {
        ProcessInfo.processInfo.environment["BROKKR_TEST_DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:54329/brokkr_test"
    }

    /// The fixed webhook encryption key of every test broker and worker.
    static let webhookKey = String(repeating: "0123456789abcdef", count: 4)

    static func uniqueSchema() -> String {
        "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
    }

    static func settings(schema: String, extra: [String: String] = [:]) throws -> Settings {
        var env = [
            "BROKKR__DATABASE__URL": url, "BROKKR__DATABASE__SCHEMA": schema, "BROKKR__LOG__LEVEL": "warn",
            "BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY": webhookKey,
        ]
        env.merge(extra) { _, new in new }
        return try Settings.load(file: nil, environment: env)
    }

    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }

    /// Runs `body` with a migrated database in a fresh schema, dropped afterwards.
    static func withMigratedDatabase<T: Sendable>(
        schema: String = uniqueSchema(), poolSize: Int = 8,
        _ body: @Sendable (Database, Settings) async throws -> T
    ) async throws -> T {
        let settings = try settings(schema: schema)
        let result = try await Database.withDatabase(settings, poolSize: poolSize, logger: logger) { database in
            try await Migrator.migrate(database)
            return try await body(database, settings)
        }
        try await dropSchema(schema)
        return result
    }

    static func dropSchema(_ schema: String) async throws {
        var settings = try settings(schema: schema)
        settings.database.schema = nil
        try await Database.withDatabase(settings, poolSize: 1, logger: logger) { database in
            _ = try await database.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"))
        }
    }
}
