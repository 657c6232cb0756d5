import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `generators`. The `Generator` model has no `pak_hash` field, so it is never read out.
public struct GeneratorStore: Sendable {
    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

    public func create(name: String, description: String?, pakHash: String) async throws -> Generator {
        try await sql.model(
            """
            INSERT INTO generators (name, description, pak_hash, is_active) VALUES (\(name), \(description), \(pakHash), true)
            RETURNING *
            """, as: Generator.self)!
    }

    public func get(_ id: UUID) async throws -> Generator? {
        try await sql.model("SELECT * FROM generators WHERE id = \(id) AND deleted_at IS NULL", as: Generator.self)
    }

    public func list() async throws -> [Generator] {
        try await sql.models("SELECT * FROM generators WHERE deleted_at IS NULL ORDER BY created_at", as: Generator.self)
    }

    public func update(_ id: UUID, name: String, description: String?) async throws -> Generator? {
        try await sql.model(
            """
            UPDATE generators SET name = \(name), description = \(description)
            WHERE id = \(id) AND deleted_at IS NULL RETURNING *
            """, as: Generator.self)
    }

    /// Replaces the key hash; returns the previous hash (to evict from the auth cache) and the row.
    public func rotateKey(_ id: UUID, newHash: String) async throws -> (oldHash: String?, generator: Generator)? {
        try await sql.model(
            """
            UPDATE generators g SET pak_hash = \(newHash)
            FROM (SELECT id, pak_hash AS old_pak_hash FROM generators WHERE id = \(id) AND deleted_at IS NULL FOR UPDATE) old
            WHERE g.id = old.id RETURNING old.old_pak_hash, g.*
            """, as: Generator.self, with: "old_pak_hash", as: String?.self)
    }

    /// Soft-deletes (cascading to its stacks by trigger); returns (found, previous key hash).
    public func softDelete(_ id: UUID) async throws -> (found: Bool, oldHash: String?) {
        guard
            let hash = try await sql.firstValue(
                "UPDATE generators SET deleted_at = now(), is_active = false WHERE id = \(id) AND deleted_at IS NULL RETURNING pak_hash",
                as: String?.self)
        else { return (false, nil) }
        return (true, hash)
    }

    public func id(forKeyHash hash: String) async throws -> UUID? {
        try await sql.firstValue(
            "SELECT id FROM generators WHERE pak_hash = \(hash) AND deleted_at IS NULL AND name <> 'admin-generator'", as: UUID.self)
    }

    public func touch(_ id: UUID) async throws {
        _ = try await sql.rows("UPDATE generators SET last_active_at = now() WHERE id = \(id)")
    }

    public func exists(_ id: UUID) async throws -> Bool {
        try await sql.firstValue("SELECT 1 FROM generators WHERE id = \(id) AND deleted_at IS NULL", as: Int.self) != nil
    }
}
