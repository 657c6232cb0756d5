import Foundation
import PostgresNIO

/// What `brokkr-workorders` does each round (see docs/webhooks-and-work-orders.md), over `work_orders`. Each step takes
/// a batch with `FOR UPDATE SKIP LOCKED`, so any number of copies can run at once.
extension WorkOrderStore {
    static let maintenanceBatch = 500

    /// RETRY_PENDING orders whose back-off has ended become PENDING again.
    public func resumeRetries() async throws -> Int {
        try await sql.affectedRows(
            """
            UPDATE work_orders SET status = 'PENDING', next_retry_after = NULL
            WHERE id IN (SELECT id FROM work_orders WHERE status = 'RETRY_PENDING' AND next_retry_after <= now()
                         LIMIT \(Self.maintenanceBatch) FOR UPDATE SKIP LOCKED) RETURNING id
            """)
    }

    /// Claims older than `claim_timeout_seconds` count as a failed attempt: released to PENDING
    /// while retries are left (`retry_count < max_retries`).
    public func releaseStaleClaims() async throws -> Int {
        try await sql.affectedRows(
            """
            UPDATE work_orders SET status = 'PENDING', claimed_by = NULL, claimed_at = NULL, retry_count = retry_count + 1,
                last_error = 'Claim timed out after ' || claim_timeout_seconds || ' s', last_error_at = now()
            WHERE id IN (SELECT id FROM work_orders WHERE status = 'CLAIMED' AND retry_count < max_retries
                         AND claimed_at + make_interval(secs => claim_timeout_seconds) < now()
                         LIMIT \(Self.maintenanceBatch) FOR UPDATE SKIP LOCKED) RETURNING id
            """)
    }

    /// Stale claims with no retries left expire: they go to the log as failed (with their
    /// `workorder.failed` event), instead of being handed out forever.
    public func expireStaleClaims() async throws -> Int {
        try await sql.withTransaction { tx in
            var ids: [UUID] = []
            let rows = try await tx.rows(
                """
                SELECT id FROM work_orders WHERE status = 'CLAIMED' AND retry_count >= max_retries
                  AND claimed_at + make_interval(secs => claim_timeout_seconds) < now()
                LIMIT \(Self.maintenanceBatch) FOR UPDATE SKIP LOCKED
                """)
            for try await id in rows.decode(UUID.self) { ids.append(id) }
            guard !ids.isEmpty else { return 0 }
            return try await WorkOrderStore(sql: tx).moveToLog(
                ids, success: false, message: "Claim expired: not completed within claim_timeout_seconds and no retries left"
            ).count
        }
    }
}
