import BrokkrCommon
import Foundation
import PostgresNIO

/// Labels and annotations of agents, stacks and templates: six tables of one shape, one store.
public struct TagStore: Sendable {
    public enum Owner: String, Sendable {
        case agent, stack, template
        var column: String { "\(rawValue)_id" }
    }

    let sql: any SQLExecutor
    let owner: Owner

    var labelTable: String { "\(owner.rawValue)_labels" }
    var annotationTable: String { "\(owner.rawValue)_annotations" }

    public func labelsJSON(_ ownerID: UUID) async throws -> String {
        try await sql.array(query("SELECT json_agg(to_jsonb(t) ORDER BY label)::text FROM \(labelTable) t WHERE \(owner.column) = $1", ownerID))
    }

    public func addLabel(_ ownerID: UUID, _ label: String) async throws -> String {
        try await sql.text(query("INSERT INTO \(labelTable) AS t (\(owner.column), label) VALUES ($1, $2) RETURNING to_jsonb(t)::text", ownerID, label))!
    }

    public func removeLabel(_ ownerID: UUID, _ label: String) async throws -> Bool {
        try await sql.affectedRows(query("DELETE FROM \(labelTable) WHERE \(owner.column) = $1 AND label = $2 RETURNING id", ownerID, label)) > 0
    }

    public func labels(_ ownerID: UUID) async throws -> [String] {
        var out: [String] = []
        for try await l in try await sql.rows(query("SELECT label FROM \(labelTable) WHERE \(owner.column) = $1 ORDER BY label", ownerID)).decode(String.self) {
            out.append(l)
        }
        return out
    }

    public func annotationsJSON(_ ownerID: UUID) async throws -> String {
        try await sql.array(query("SELECT json_agg(to_jsonb(t) ORDER BY key)::text FROM \(annotationTable) t WHERE \(owner.column) = $1", ownerID))
    }

    /// Adds an annotation; an existing key gets the new value.
    public func addAnnotation(_ ownerID: UUID, key: String, value: String) async throws -> String {
        try await sql.text(query("""
            INSERT INTO \(annotationTable) AS t (\(owner.column), key, value) VALUES ($1, $2, $3)
            ON CONFLICT (\(owner.column), key) DO UPDATE SET value = EXCLUDED.value
            RETURNING to_jsonb(t)::text
            """, ownerID, key, value))!
    }

    public func removeAnnotation(_ ownerID: UUID, key: String) async throws -> Bool {
        try await sql.affectedRows(query("DELETE FROM \(annotationTable) WHERE \(owner.column) = $1 AND key = $2 RETURNING id", ownerID, key)) > 0
    }

    public func annotations(_ ownerID: UUID) async throws -> [(String, String)] {
        var out: [(String, String)] = []
        for try await kv in try await sql.rows(query("SELECT key, value FROM \(annotationTable) WHERE \(owner.column) = $1 ORDER BY key", ownerID)).decode((String, String).self) {
            out.append(kv)
        }
        return out
    }

    private func query(_ text: String, _ owner: UUID, _ strings: String...) -> PostgresQuery {
        var binds = PostgresBindings()
        binds.append(owner)
        for s in strings { binds.append(s) }
        return PostgresQuery(unsafeSQL: text, binds: binds)
    }
}
