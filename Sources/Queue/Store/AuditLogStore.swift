import BrokkrCommon
import Foundation
import PostgresNIO

/// The SQL of `audit_logs` (filled only by brokkr-audit from `AuditOutbox`): the API's reads and retention.
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

        public init(
            actorType: String? = nil, actorID: UUID? = nil, action: String? = nil, resourceType: String? = nil, resourceID: UUID? = nil,
            from: Date? = nil, to: Date? = nil
        ) {
            self.actorType = actorType
            self.actorID = actorID
            self.action = action
            self.resourceType = resourceType
            self.resourceID = resourceID
            self.from = from
            self.to = to
        }
    }

    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

    /// (total matching, the page), newest first, in one round trip: the count row is joined with the
    /// page, so an empty page still yields one row carrying the total.
    public func page(_ f: Filter, limit: Int, offset: Int) async throws -> (total: Int, logs: [AuditLog]) {
        let prefix = f.action.flatMap { $0.hasSuffix("*") ? String($0.dropLast()) : nil }
        let exact = prefix == nil ? f.action : nil
        let rows = try await sql.rows(
            """
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
            SELECT p.*, t.total_matching FROM (SELECT count(*)::int AS total_matching FROM matching) t
            LEFT JOIN page p ON true ORDER BY p.timestamp DESC, p.id
            """)
        var total = 0
        var logs: [AuditLog] = []
        for try await row in rows {
            let columns = row.makeRandomAccess()
            total = try columns["total_matching"].decode(Int.self)
            if columns["id"].bytes != nil { logs.append(try RowDecoder.decode(AuditLog.self, from: row)) }
        }
        return (total, logs)
    }

    /// Deletes up to `limit` entries older than `retentionDays` (`broker.audit_log_retention_days`).
    public func deleteOlderThan(days retentionDays: Int, limit: Int = 1000) async throws -> Int {
        try await sql.affectedRows(
            """
            DELETE FROM audit_logs WHERE id IN (
                SELECT id FROM audit_logs WHERE created_at < now() - make_interval(days => \(retentionDays)::int)
                LIMIT \(limit) FOR UPDATE SKIP LOCKED) RETURNING id
            """)
    }
}
