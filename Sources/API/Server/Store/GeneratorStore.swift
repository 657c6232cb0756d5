import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `generators`. Responses never include `pak_hash`.
public struct GeneratorStore: Sendable {
    let sql: any SQLExecutor

    static let json = "(to_jsonb(g) - 'pak_hash')::text"

    public func create(name: String, description: String?, pakHash: String) async throws -> (UUID, String) {
        try await sql.first("""
            INSERT INTO generators AS g (name, description, pak_hash, is_active) VALUES (\(name), \(description), \(pakHash), true)
            RETURNING id, (to_jsonb(g) - 'pak_hash')::text
            """, as: (UUID, String).self)!
    }

    public func getJSON(_ id: UUID) async throws -> String? {
        try await sql.text("SELECT (to_jsonb(g) - 'pak_hash')::text FROM generators g WHERE id = \(id) AND deleted_at IS NULL")
    }

    public func listJSON() async throws -> String {
        try await sql.array("SELECT json_agg(to_jsonb(g) - 'pak_hash' ORDER BY created_at)::text FROM generators g WHERE deleted_at IS NULL")
    }

    public func update(_ id: UUID, name: String, description: String?) async throws -> String? {
        try await sql.text("""
            UPDATE generators g SET name = \(name), description = \(description)
            WHERE id = \(id) AND deleted_at IS NULL RETURNING (to_jsonb(g) - 'pak_hash')::text
            """)
    }

    public func rotateKey(_ id: UUID, newHash: String) async throws -> (oldHash: String?, json: String)? {
        guard let (old, json) = try await sql.first("""
            UPDATE generators g SET pak_hash = \(newHash)
            FROM (SELECT id, pak_hash FROM generators WHERE id = \(id) AND deleted_at IS NULL FOR UPDATE) old
            WHERE g.id = old.id RETURNING old.pak_hash, (to_jsonb(g) - 'pak_hash')::text
            """, as: (String?, String).self) else { return nil }
        return (old, json)
    }

    /// Soft-deletes (cascading to its stacks by trigger); returns (found, previous key hash).
    public func softDelete(_ id: UUID) async throws -> (found: Bool, oldHash: String?) {
        guard let hash = try await sql.firstValue(
            "UPDATE generators SET deleted_at = now(), is_active = false WHERE id = \(id) AND deleted_at IS NULL RETURNING pak_hash",
            as: String?.self) else { return (false, nil) }
        return (true, hash)
    }

    public func id(forKeyHash hash: String) async throws -> UUID? {
        try await sql.firstValue("SELECT id FROM generators WHERE pak_hash = \(hash) AND deleted_at IS NULL AND name <> 'admin-generator'", as: UUID.self)
    }

    public func touch(_ id: UUID) async throws {
        _ = try await sql.rows("UPDATE generators SET last_active_at = now() WHERE id = \(id)")
    }

    public func exists(_ id: UUID) async throws -> Bool {
        try await sql.firstValue("SELECT 1 FROM generators WHERE id = \(id) AND deleted_at IS NULL", as: Int.self) != nil
    }
}
