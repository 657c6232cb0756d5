import Foundation
import PostgresNIO

/// What `brokkr-workorders` does each round (see docs/webhooks-and-work-orders.md). Each step takes
/// a batch with `FOR UPDATE SKIP LOCKED`, so any number of copies can run at once.
public enum WorkOrderMaintenance {
    static let batch = 500

    /// RETRY_PENDING orders whose back-off has ended become PENDING again.
    public static func resumeRetries(_ database: Database) async throws -> Int {
        try await count(
            database,
            """
            UPDATE work_orders SET status = 'PENDING', next_retry_after = NULL
            WHERE id IN (SELECT id FROM work_orders WHERE status = 'RETRY_PENDING' AND next_retry_after <= now()
                         LIMIT \(batch) FOR UPDATE SKIP LOCKED) RETURNING id
            """)
    }

    /// Claims older than `claim_timeout_seconds` count as a failed attempt: released to PENDING
    /// while retries are left (`retry_count < max_retries`).
    public static func releaseStaleClaims(_ database: Database) async throws -> Int {
        try await count(
            database,
            """
            UPDATE work_orders SET status = 'PENDING', claimed_by = NULL, claimed_at = NULL, retry_count = retry_count + 1,
                last_error = 'Claim timed out after ' || claim_timeout_seconds || ' s', last_error_at = now()
            WHERE id IN (SELECT id FROM work_orders WHERE status = 'CLAIMED' AND retry_count < max_retries
                         AND claimed_at + make_interval(secs => claim_timeout_seconds) < now()
                         LIMIT \(batch) FOR UPDATE SKIP LOCKED) RETURNING id
            """)
    }

    /// Stale claims with no retries left expire: they go to the log as failed (with their
    /// `workorder.failed` event), instead of being handed out forever.
    public static func expireStaleClaims(_ database: Database) async throws -> Int {
        try await database.transaction { connection in
            var ids: [UUID] = []
            let rows = try await connection.query(
                """
                SELECT id FROM work_orders WHERE status = 'CLAIMED' AND retry_count >= max_retries
                  AND claimed_at + make_interval(secs => claim_timeout_seconds) < now()
                LIMIT \(batch) FOR UPDATE SKIP LOCKED
                """, logger: database.logger)
            for try await id in rows.decode(UUID.self) { ids.append(id) }
            guard !ids.isEmpty else { return 0 }
            return try await WorkOrderLifecycle.moveToLog(
                ids, success: false, message: "Claim expired: not completed within claim_timeout_seconds and no retries left",
                on: connection, logger: database.logger
            ).count
        }
    }

    static func count(_ database: Database, _ query: PostgresQuery) async throws -> Int {
        var n = 0
        for try await _ in try await database.query(query) { n += 1 }
        return n
    }
}
