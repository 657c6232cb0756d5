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

    public init(sql: any SQLExecutor, owner: Owner) {
        self.sql = sql
        self.owner = owner
    }

    var labelTable: String { "\(owner.rawValue)_labels" }
    var annotationTable: String { "\(owner.rawValue)_annotations" }

    /// The owner's label rows as its model (`AgentLabel`, `StackLabel` or `TemplateLabel`).
    public func labelRows<T: Decodable>(_ ownerID: UUID, as type: T.Type) async throws -> [T] {
        try await sql.models(query("SELECT * FROM \(labelTable) WHERE \(owner.column) = $1 ORDER BY label", ownerID), as: type)
    }

    public func addLabel<T: Decodable>(_ ownerID: UUID, _ label: String, as type: T.Type) async throws -> T {
        try await sql.model(query("INSERT INTO \(labelTable) (\(owner.column), label) VALUES ($1, $2) RETURNING *", ownerID, label), as: type)!
    }

    public func removeLabel(_ ownerID: UUID, _ label: String) async throws -> Bool {
        try await sql.affectedRows(query("DELETE FROM \(labelTable) WHERE \(owner.column) = $1 AND label = $2 RETURNING id", ownerID, label)) > 0
    }

    public func labels(_ ownerID: UUID) async throws -> [String] {
        var out: [String] = []
        for try await l in try await sql.rows(query("SELECT label FROM \(labelTable) WHERE \(owner.column) = $1 ORDER BY label", ownerID)).decode(
            String.self)
        {
            out.append(l)
        }
        return out
    }

    /// The owner's annotation rows as its model (`AgentAnnotation`, `StackAnnotation` or `TemplateAnnotation`).
    public func annotationRows<T: Decodable>(_ ownerID: UUID, as type: T.Type) async throws -> [T] {
        try await sql.models(query("SELECT * FROM \(annotationTable) WHERE \(owner.column) = $1 ORDER BY key", ownerID), as: type)
    }

    /// Adds an annotation; an existing key gets the new value.
    public func addAnnotation<T: Decodable>(_ ownerID: UUID, key: String, value: String, as type: T.Type) async throws -> T {
        try await sql.model(
            query(
                """
                INSERT INTO \(annotationTable) (\(owner.column), key, value) VALUES ($1, $2, $3)
                ON CONFLICT (\(owner.column), key) DO UPDATE SET value = EXCLUDED.value
                RETURNING *
                """, ownerID, key, value), as: type)!
    }

    public func removeAnnotation(_ ownerID: UUID, key: String) async throws -> Bool {
        try await sql.affectedRows(query("DELETE FROM \(annotationTable) WHERE \(owner.column) = $1 AND key = $2 RETURNING id", ownerID, key)) > 0
    }

    public func annotations(_ ownerID: UUID) async throws -> [(String, String)] {
        var out: [(String, String)] = []
        for try await kv in try await sql.rows(query("SELECT key, value FROM \(annotationTable) WHERE \(owner.column) = $1 ORDER BY key", ownerID))
            .decode((String, String).self)
        {
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
