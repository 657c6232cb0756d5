import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for the single `admin_role` row, its mirror generator `admin-generator`, and the
/// first-start marker `app_initialization`.
public struct AdminStore: Sendable {
    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

    public func adminHash() async throws -> String? {
        try await sql.text("SELECT pak_hash FROM admin_role ORDER BY created_at LIMIT 1")
    }

    /// Installs `hash` as the admin key (upserting the single row and `admin-generator`).
    public func upsertAdmin(hash: String) async throws {
        let updated = try await sql.affectedRows("UPDATE admin_role SET pak_hash = \(hash) RETURNING id")
        if updated == 0 { _ = try await sql.rows("INSERT INTO admin_role (pak_hash) VALUES (\(hash))") }
        let gen = try await sql.affectedRows(
            """
            UPDATE generators SET pak_hash = \(hash), description = 'Linked to Admin PAK'
            WHERE name = 'admin-generator' AND deleted_at IS NULL RETURNING id
            """)
        if gen == 0 {
            _ = try await sql.rows(
                """
                INSERT INTO generators (name, description, pak_hash, is_active) VALUES ('admin-generator', 'Linked to Admin PAK', \(hash), true)
                """)
        }
    }

    /// Marks first start; true when this call was the first (the caller then provisions the admin).
    public func markInitialized() async throws -> Bool {
        // Locked so two processes starting on an empty schema do not both provision.
        _ = try await sql.rows("LOCK TABLE app_initialization IN EXCLUSIVE MODE")
        let count = try await sql.firstValue("SELECT count(*)::int FROM app_initialization", as: Int.self) ?? 0
        guard count == 0 else { return false }
        _ = try await sql.rows("INSERT INTO app_initialization DEFAULT VALUES")
        return true
    }
}
