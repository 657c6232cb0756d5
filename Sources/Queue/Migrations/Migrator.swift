import Logging
import PostgresNIO

/// Applies pending `SchemaMigrations` in order, each in its own transaction, under an advisory
/// lock so that processes starting together (api pods, workers) migrate once.
public enum Migrator {
    /// Returns the versions applied by this call.
    @discardableResult
    public static func migrate(_ database: Database, migrations: [SchemaMigrations.Migration] = SchemaMigrations.all) async throws -> [Int] {
        try await database.ensureSchema()
        return try await database.transaction { connection in
            // Serialise concurrent migrators of this schema; released at commit.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.brokkr_migrations'))", logger: database.logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: database.logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: database.logger).decode(Int.self) {
                applied.insert(version)
            }
            var done: [Int] = []
            for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
                database.logger.info("Applying migration \(migration.version) \(migration.name)")
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: database.logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: database.logger)
                done.append(migration.version)
            }
            return done
        }
    }
}
