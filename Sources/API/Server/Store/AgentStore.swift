import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `agents`. Responses never include `pak_hash`.
public struct AgentStore: Sendable {
    public struct Row: Sendable {
        public let id: UUID
        public let name: String
        public let status: String
        public let json: String
    }

    let sql: any SQLExecutor

    public func create(name: String, clusterName: String, pakHash: String) async throws -> Row {
        try await row("""
            INSERT INTO agents (name, cluster_name, pak_hash) VALUES (\(name), \(clusterName), \(pakHash))
            RETURNING id, name, status, (to_jsonb(agents) - 'pak_hash')::text
            """)!
    }

    public func get(_ id: UUID) async throws -> Row? {
        try await row("SELECT id, name, status, (to_jsonb(a) - 'pak_hash')::text FROM agents a WHERE id = \(id) AND deleted_at IS NULL")
    }

    public func find(name: String, clusterName: String) async throws -> Row? {
        try await row("""
            SELECT id, name, status, (to_jsonb(a) - 'pak_hash')::text FROM agents a
            WHERE name = \(name) AND cluster_name = \(clusterName) AND deleted_at IS NULL
            """)
    }

    public func listJSON() async throws -> String {
        try await sql.array("SELECT json_agg(to_jsonb(a) - 'pak_hash' ORDER BY created_at)::text FROM agents a WHERE deleted_at IS NULL")
    }

    /// (id, name, status, last heartbeat) of every active agent, for the list gauges.
    public func heartbeats() async throws -> [(UUID, String, String, Date?)] {
        var out: [(UUID, String, String, Date?)] = []
        for try await r in try await sql.rows("SELECT id, name, status, last_heartbeat FROM agents WHERE deleted_at IS NULL").decode((UUID, String, String, Date?).self) {
            out.append(r)
        }
        return out
    }

    public func update(_ id: UUID, name: String?, clusterName: String?, status: String?) async throws -> Row? {
        try await row("""
            UPDATE agents SET name = COALESCE(\(name), name), cluster_name = COALESCE(\(clusterName), cluster_name),
                status = COALESCE(\(status), status)
            WHERE id = \(id) AND deleted_at IS NULL
            RETURNING id, name, status, (to_jsonb(agents) - 'pak_hash')::text
            """)
    }

    /// Replaces the key hash; returns the previous hash (to evict from the auth cache) and the row.
    public func rotateKey(_ id: UUID, newHash: String) async throws -> (oldHash: String, row: Row)? {
        guard let (old, rid, name, status, json) = try await sql.first("""
            UPDATE agents a SET pak_hash = \(newHash) FROM (SELECT id, pak_hash FROM agents WHERE id = \(id) AND deleted_at IS NULL FOR UPDATE) old
            WHERE a.id = old.id
            RETURNING old.pak_hash, a.id, a.name, a.status, (to_jsonb(a) - 'pak_hash')::text
            """, as: (String, UUID, String, String, String).self) else { return nil }
        return (old, Row(id: rid, name: name, status: status, json: json))
    }

    /// Soft-deletes; returns the key hash the agent had, or nil if there was no such agent.
    public func softDelete(_ id: UUID) async throws -> String? {
        try await sql.firstValue("UPDATE agents SET deleted_at = now() WHERE id = \(id) AND deleted_at IS NULL RETURNING pak_hash", as: String.self).map { $0 }
    }

    public func recordHeartbeat(_ id: UUID) async throws -> String? {
        try await sql.firstValue("UPDATE agents SET last_heartbeat = now(), heartbeat_lost_at = NULL WHERE id = \(id) AND deleted_at IS NULL RETURNING name", as: String.self).map { $0 }
    }

    public func id(forKeyHash hash: String) async throws -> UUID? {
        try await sql.firstValue("SELECT id FROM agents WHERE pak_hash = \(hash) AND deleted_at IS NULL", as: UUID.self)
    }

    public func exists(_ id: UUID) async throws -> Bool {
        try await sql.firstValue("SELECT 1 FROM agents WHERE id = \(id) AND deleted_at IS NULL", as: Int.self) != nil
    }

    private func row(_ query: PostgresQuery) async throws -> Row? {
        try await sql.first(query, as: (UUID, String, String, String).self).map { Row(id: $0.0, name: $0.1, status: $0.2, json: $0.3) }
    }
}
