import BrokkrCommon
import Foundation
import PostgresNIO

/// The work-order state machine (PENDING → CLAIMED → moved to `work_order_log`; a retryable failure
/// waits in RETRY_PENDING, then is PENDING again; a stale claim goes back to PENDING or expires into
/// the log), used by the API handlers (claim, complete) and `brokkr-workorders` (stale claims,
/// back-off, expiry; `WorkOrderStore+Maintenance`). Every transition is one conditional statement on
/// the store's transaction, and writes its `workorder.*` event in that transaction.
extension WorkOrderStore {
    /// SQL: agent `agent` may claim work order `w` — it is a target, or shares ANY label, or ANY
    /// annotation key/value pair with it (OR logic: one match is enough).
    public static func eligibility(workOrder w: String = "w", agent p: String) -> String {
        """
        (EXISTS (SELECT 1 FROM work_order_targets t WHERE t.work_order_id = \(w).id AND t.agent_id = \(p))
         OR EXISTS (SELECT 1 FROM work_order_labels l JOIN agent_labels al ON al.label = l.label
                    WHERE l.work_order_id = \(w).id AND al.agent_id = \(p))
         OR EXISTS (SELECT 1 FROM work_order_annotations a JOIN agent_annotations aa ON aa.key = a.key AND aa.value = a.value
                    WHERE a.work_order_id = \(w).id AND aa.agent_id = \(p)))
        """
    }

    public enum ClaimOutcome: Sendable, Equatable {
        case claimed(WorkOrder)
        /// No such active work order, or the agent is not among its targets.
        case notClaimable
        /// The agent is eligible but the order is no longer PENDING (someone else won).
        case alreadyClaimed
    }

    /// Claims a PENDING order for an eligible agent with one conditional UPDATE, so of concurrent
    /// claimers exactly one wins.
    public func claim(_ id: UUID, agentID: UUID) async throws -> ClaimOutcome {
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(agentID)
        let claimed = try await sql.rows(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE work_orders w SET status = 'CLAIMED', claimed_by = $2, claimed_at = now()
                    WHERE w.id = $1 AND w.status = 'PENDING' AND \(Self.eligibility(agent: "$2"))
                    RETURNING w.*
                    """, binds: binds))
        for try await row in claimed {
            let order = try RowDecoder.decode(WorkOrder.self, from: row)
            let claimedAt = order.claimedAt ?? Date()
            try await EventOutbox.emit(
                BrokkrEvent(
                    eventType: "workorder.claimed",
                    data: .object([
                        "work_order_id": .string(id.lowercasedString), "agent_id": .string(agentID.lowercasedString),
                        "claimed_at": .string(RFC3339.string(from: claimedAt)),
                    ])), agentID: agentID, on: sql)
            return .claimed(order)
        }
        let eligible = try await sql.rows(
            PostgresQuery(
                unsafeSQL: """
                    SELECT 1 FROM work_orders w WHERE w.id = $1 AND \(Self.eligibility(agent: "$2"))
                    """, binds: binds))
        for try await _ in eligible { return .alreadyClaimed }
        return .notClaimable
    }

    /// An active order, locked for the rest of the caller's transaction.
    public struct ActiveOrder: Sendable {
        public let id: UUID
        public let status: String
        public let claimedBy: UUID?
        public let retryCount: Int
        public let maxRetries: Int
    }

    public func lockActive(_ id: UUID) async throws -> ActiveOrder? {
        let rows = try await sql.rows(
            """
            SELECT id, status, claimed_by, retry_count, max_retries FROM work_orders WHERE id = \(id) FOR UPDATE
            """)
        for try await r in rows.decode((UUID, String, UUID?, Int, Int).self) {
            return ActiveOrder(id: r.0, status: r.1, claimedBy: r.2, retryCount: r.3, maxRetries: r.4)
        }
        return nil
    }

    public enum CompletionOutcome: Sendable, Equatable {
        /// Moved to `work_order_log`; the log entry.
        case logged(WorkOrderLog)
        case retryScheduled
    }

    /// A finished attempt of a locked order: success goes to the log; a retryable failure with
    /// retries left (`retry_count < max_retries`) waits `backoff_seconds * 2^(retry_count + 1)` in
    /// RETRY_PENDING; any other failure goes to the log as failed.
    public func complete(_ order: ActiveOrder, success: Bool, message: String?, retryable: Bool) async throws -> CompletionOutcome {
        if success || !retryable || order.retryCount >= order.maxRetries {
            let logged = try await moveToLog([order.id], success: success, message: message)
            return .logged(logged[0])
        }
        _ = try await sql.rows(
            """
            UPDATE work_orders SET status = 'RETRY_PENDING', retry_count = retry_count + 1,
                next_retry_after = now() + make_interval(secs => LEAST(backoff_seconds * power(2, retry_count + 1), 604800)),
                last_error = \(message), last_error_at = now(), claimed_by = NULL, claimed_at = NULL
            WHERE id = \(order.id)
            """)
        return .retryScheduled
    }

    /// Moves orders from the active queue into `work_order_log` (their targets go with them) and
    /// writes `workorder.completed` / `workorder.failed`. Returns the log entries.
    @discardableResult
    public func moveToLog(_ ids: [UUID], success: Bool, message: String?) async throws -> [WorkOrderLog] {
        let rows = try await sql.rows(
            """
            WITH moved AS (DELETE FROM work_orders WHERE id = ANY(\(ids)) RETURNING *)
            INSERT INTO work_order_log AS l (id, work_type, created_at, claimed_at, claimed_by, success, retries_attempted, result_message, yaml_content)
            SELECT id, work_type, created_at, claimed_at, claimed_by, \(success), retry_count, \(message), yaml_content FROM moved
            RETURNING l.*
            """)
        let entries = try await rows.models(WorkOrderLog.self)
        for entry in entries {
            let (id, workType, agentID, completedAt) = (entry.id, entry.workType, entry.claimedBy, entry.completedAt)
            try await EventOutbox.emit(
                BrokkrEvent(
                    eventType: success ? "workorder.completed" : "workorder.failed",
                    data: .object([
                        "work_order_log_id": .string(id.lowercasedString), "work_type": .string(workType), "success": .bool(success),
                        "result_message": message.map(JSONValue.string) ?? .null,
                        "agent_id": agentID.map { .string($0.lowercasedString) } ?? .null,
                        "completed_at": .string(RFC3339.string(from: completedAt)),
                    ])), agentID: agentID, on: sql)
        }
        return entries
    }
}
