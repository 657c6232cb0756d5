import BrokkrCommon
import Foundation
import PostgresNIO

/// One audit record as the API knows it at the moment of the change.
public struct AuditEntry: Sendable {
    public var actorType: String
    public var actorID: UUID?
    public var action: String
    public var resourceType: String
    public var resourceID: UUID?
    public var details: JSONValue?
    public var ipAddress: String?
    public var userAgent: String?

    public init(
        actorType: String, actorID: UUID?, action: String, resourceType: String, resourceID: UUID?,
        details: JSONValue? = nil, ipAddress: String? = nil, userAgent: String? = nil
    ) {
        self.actorType = actorType
        self.actorID = actorID
        self.action = action
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.details = details
        self.ipAddress = ipAddress
        self.userAgent = userAgent
    }
}

/// Writes audit entries into `audit_outbox` on the caller's connection, i.e. in the same
/// transaction as the change they describe; `brokkr-audit` moves them into `audit_logs`.
public enum AuditOutbox {
    public static let channel = "brokkr_audit_outbox"

    public static func write(_ entry: AuditEntry, on sql: any SQLExecutor) async throws {
        _ = try await sql.rows(
            """
            INSERT INTO audit_outbox (actor_type, actor_id, action, resource_type, resource_id, details, ip_address, user_agent)
            VALUES (\(entry.actorType), \(entry.actorID), \(entry.action), \(entry.resourceType), \(entry.resourceID),
                    \(entry.details?.serialized())::jsonb, \(entry.ipAddress), \(entry.userAgent))
            """)
        try await WorkQueue.notify(channel, on: sql)
    }

    /// Moves up to `limit` outbox rows into `audit_logs` atomically (SKIP LOCKED, so several batchers
    /// can run at once). Returns the number moved.
    public static func moveBatch(_ sql: any SQLExecutor, limit: Int) async throws -> Int {
        try await sql.withTransaction { tx in
            try await tx.affectedRows(
                """
                WITH batch AS (
                    DELETE FROM audit_outbox WHERE seq IN (
                        SELECT seq FROM audit_outbox ORDER BY seq LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                    RETURNING *)
                INSERT INTO audit_logs (id, timestamp, actor_type, actor_id, action, resource_type, resource_id, details, ip_address, user_agent)
                SELECT id, timestamp, actor_type, actor_id, action, resource_type, resource_id, details, ip_address, user_agent FROM batch
                RETURNING id
                """)
        }
    }
}
