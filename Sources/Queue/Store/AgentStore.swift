import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `agents`. The `Agent` model has no `pak_hash` field, so it is never read out.
public struct AgentStore: Sendable {
    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

    public func create(name: String, clusterName: String, pakHash: String) async throws -> Agent {
        try await sql.model(
            """
            INSERT INTO agents (name, cluster_name, pak_hash) VALUES (\(name), \(clusterName), \(pakHash)) RETURNING *
            """, as: Agent.self)!
    }

    /// The agent's name, deleted or not.
    public func name(_ id: UUID) async throws -> String? {
        try await sql.firstValue("SELECT name FROM agents WHERE id = \(id)", as: String.self)
    }

    public func get(_ id: UUID) async throws -> Agent? {
        try await sql.model("SELECT * FROM agents WHERE id = \(id) AND deleted_at IS NULL", as: Agent.self)
    }

    public func find(name: String, clusterName: String) async throws -> Agent? {
        try await sql.model(
            """
            SELECT * FROM agents WHERE name = \(name) AND cluster_name = \(clusterName) AND deleted_at IS NULL
            """, as: Agent.self)
    }

    public func list() async throws -> [Agent] {
        try await sql.models("SELECT * FROM agents WHERE deleted_at IS NULL ORDER BY created_at", as: Agent.self)
    }

    /// (id, name, status, last heartbeat) of every active agent, for the list gauges.
    public func heartbeats() async throws -> [(UUID, String, String, Date?)] {
        var out: [(UUID, String, String, Date?)] = []
        for try await r in try await sql.rows("SELECT id, name, status, last_heartbeat FROM agents WHERE deleted_at IS NULL").decode(
            (UUID, String, String, Date?).self)
        {
            out.append(r)
        }
        return out
    }

    public func update(_ id: UUID, name: String?, clusterName: String?, status: String?) async throws -> Agent? {
        try await sql.model(
            """
            UPDATE agents SET name = COALESCE(\(name), name), cluster_name = COALESCE(\(clusterName), cluster_name),
                status = COALESCE(\(status), status)
            WHERE id = \(id) AND deleted_at IS NULL RETURNING *
            """, as: Agent.self)
    }

    /// Replaces the key hash; returns the previous hash (to evict from the auth cache) and the row.
    public func rotateKey(_ id: UUID, newHash: String) async throws -> (oldHash: String, agent: Agent)? {
        try await sql.model(
            """
            UPDATE agents a SET pak_hash = \(newHash)
            FROM (SELECT id, pak_hash AS old_pak_hash FROM agents WHERE id = \(id) AND deleted_at IS NULL FOR UPDATE) old
            WHERE a.id = old.id RETURNING old.old_pak_hash, a.*
            """, as: Agent.self, with: "old_pak_hash", as: String.self)
    }

    /// Soft-deletes; returns the key hash the agent had, or nil if there was no such agent.
    public func softDelete(_ id: UUID) async throws -> String? {
        try await sql.firstValue("UPDATE agents SET deleted_at = now() WHERE id = \(id) AND deleted_at IS NULL RETURNING pak_hash", as: String.self)
            .map { $0 }
    }

    public func recordHeartbeat(_ id: UUID) async throws -> String? {
        try await sql.firstValue(
            "UPDATE agents SET last_heartbeat = now(), heartbeat_lost_at = NULL WHERE id = \(id) AND deleted_at IS NULL RETURNING name",
            as: String.self
        ).map { $0 }
    }

    public func id(forKeyHash hash: String) async throws -> UUID? {
        try await sql.firstValue("SELECT id FROM agents WHERE pak_hash = \(hash) AND deleted_at IS NULL", as: UUID.self)
    }

    public func exists(_ id: UUID) async throws -> Bool {
        try await sql.firstValue("SELECT 1 FROM agents WHERE id = \(id) AND deleted_at IS NULL", as: Int.self) != nil
    }

    /// Marks up to `limit` live agents silent for longer than `timeoutSeconds` (`heartbeat_lost_at`).
    public func markHeartbeatsLost(timeoutSeconds: Int, limit: Int = 500) async throws -> Int {
        try await sql.affectedRows(
            """
            UPDATE agents SET heartbeat_lost_at = now() WHERE id IN (
                SELECT id FROM agents WHERE deleted_at IS NULL AND heartbeat_lost_at IS NULL
                  AND COALESCE(last_heartbeat, created_at) < now() - make_interval(secs => \(Double(timeoutSeconds)))
                LIMIT \(limit) FOR UPDATE SKIP LOCKED) RETURNING id
            """)
    }
}
