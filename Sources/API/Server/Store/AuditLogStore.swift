import BrokkrCommon
import Foundation
import PostgresNIO

/// Queries over `audit_logs` (written only by brokkr-audit from the outbox).
public struct AuditLogStore: Sendable {
    public struct Filter: Sendable {
        public var actorType: String?
        public var actorID: UUID?
        /// Exact, or a prefix when it ends with `*`.
        public var action: String?
        public var resourceType: String?
        public var resourceID: UUID?
        public var from: Date?
        public var to: Date?
    }

    let sql: any SQLExecutor

    /// (total matching, the page as JSON), newest first.
    public func page(_ f: Filter, limit: Int, offset: Int) async throws -> (total: Int, count: Int, json: String) {
        let prefix = f.action.flatMap { $0.hasSuffix("*") ? String($0.dropLast()) : nil }
        let exact = prefix == nil ? f.action : nil
        let (total, count, json) = try await sql.first("""
            WITH matching AS (
                SELECT * FROM audit_logs
                WHERE (\(f.actorType)::text IS NULL OR actor_type = \(f.actorType))
                  AND (\(f.actorID)::uuid IS NULL OR actor_id = \(f.actorID))
                  AND (\(exact)::text IS NULL OR action = \(exact))
                  AND (\(prefix)::text IS NULL OR starts_with(action, \(prefix)))
                  AND (\(f.resourceType)::text IS NULL OR resource_type = \(f.resourceType))
                  AND (\(f.resourceID)::uuid IS NULL OR resource_id = \(f.resourceID))
                  AND (\(f.from)::timestamptz IS NULL OR timestamp >= \(f.from))
                  AND (\(f.to)::timestamptz IS NULL OR timestamp < \(f.to))),
            page AS (SELECT * FROM matching ORDER BY timestamp DESC, id LIMIT \(limit) OFFSET \(offset))
            SELECT (SELECT count(*) FROM matching)::int, (SELECT count(*) FROM page)::int,
                   COALESCE((SELECT json_agg(to_jsonb(p) ORDER BY p.timestamp DESC, p.id) FROM page p), '[]')::text
            """, as: (Int, Int, String).self)!
        return (total, count, json)
    }
}
