import BrokkrCommon
import BrokkrQueue
import Foundation
import PostgresNIO

/// SQL for reading and creating work orders and reading `work_order_log`. State transitions
/// (claim, complete, retry, expiry) are `WorkOrderLifecycle`'s, shared with brokkr-workorders.
public struct WorkOrderStore: Sendable {
    let sql: any SQLExecutor

    public struct NewOrder: Sendable {
        public var workType: String
        public var yamlContent: String
        public var maxRetries: Int
        public var backoffSeconds: Int
        public var claimTimeoutSeconds: Int
        public var agentIDs: [UUID]
        public var labels: [String]
        public var annotations: [(String, String)]
    }

    /// Inserts the order and its targeting rows (call inside a transaction).
    public func create(_ order: NewOrder) async throws -> (id: UUID, json: String) {
        let (id, json) = try await sql.first("""
            INSERT INTO work_orders AS w (work_type, yaml_content, max_retries, backoff_seconds, claim_timeout_seconds)
            VALUES (\(order.workType), \(order.yamlContent), \(order.maxRetries), \(order.backoffSeconds), \(order.claimTimeoutSeconds))
            RETURNING id, to_jsonb(w)::text
            """, as: (UUID, String).self)!
        if !order.agentIDs.isEmpty {
            _ = try await sql.affectedRows("""
                INSERT INTO work_order_targets (work_order_id, agent_id) SELECT \(id), unnest(\(order.agentIDs)::uuid[])
                ON CONFLICT DO NOTHING
                """)
        }
        if !order.labels.isEmpty {
            _ = try await sql.affectedRows("INSERT INTO work_order_labels (work_order_id, label) SELECT \(id), unnest(\(order.labels)::text[])")
        }
        if !order.annotations.isEmpty {
            _ = try await sql.affectedRows("""
                INSERT INTO work_order_annotations (work_order_id, key, value)
                SELECT \(id), k, v FROM unnest(\(order.annotations.map(\.0))::text[], \(order.annotations.map(\.1))::text[]) AS a(k, v)
                """)
        }
        return (id, json)
    }

    public func listJSON(status: String?, workType: String?) async throws -> String {
        try await sql.array("""
            SELECT json_agg(to_jsonb(w) ORDER BY w.created_at)::text FROM work_orders w
            WHERE (\(status)::text IS NULL OR w.status = \(status)) AND (\(workType)::text IS NULL OR w.work_type = \(workType))
            """)
    }

    /// The active order, or one synthesised from its log entry (status COMPLETED / FAILED, spec 05 §2.3).
    public func getJSON(_ id: UUID) async throws -> String? {
        try await sql.text("""
            SELECT json FROM (
                SELECT 1 AS pick, to_jsonb(w)::text AS json FROM work_orders w WHERE w.id = \(id)
                UNION ALL
                SELECT 2, jsonb_build_object(
                    'id', l.id, 'created_at', l.created_at, 'updated_at', l.completed_at, 'work_type', l.work_type,
                    'yaml_content', l.yaml_content, 'status', CASE WHEN l.success THEN 'COMPLETED' ELSE 'FAILED' END,
                    'claimed_by', l.claimed_by, 'claimed_at', l.claimed_at, 'claim_timeout_seconds', 0, 'max_retries', 0,
                    'retry_count', l.retries_attempted, 'backoff_seconds', 0, 'next_retry_after', NULL,
                    'last_error', CASE WHEN l.success THEN NULL ELSE l.result_message END,
                    'last_error_at', CASE WHEN l.success THEN NULL ELSE l.completed_at END)::text
                FROM work_order_log l WHERE l.id = \(id)) AS found
            ORDER BY pick LIMIT 1
            """)
    }

    /// Cancels an active order (not logged).
    public func delete(_ id: UUID) async throws -> Bool {
        try await sql.affectedRows("DELETE FROM work_orders WHERE id = \(id) RETURNING id") > 0
    }

    /// PENDING orders the agent may claim.
    public func pendingJSON(agentID: UUID, workType: String?) async throws -> String {
        var binds = PostgresBindings()
        binds.append(agentID)
        binds.append(workType)
        return try await sql.array(PostgresQuery(unsafeSQL: """
            SELECT json_agg(to_jsonb(w) ORDER BY w.created_at)::text FROM work_orders w
            WHERE w.status = 'PENDING' AND ($2::text IS NULL OR w.work_type = $2)
              AND \(WorkOrderLifecycle.eligibility(agent: "$1"))
            """, binds: binds))
    }

    public func logListJSON(workType: String?, success: Bool?, agentID: UUID?, limit: Int?) async throws -> String {
        try await sql.array("""
            SELECT json_agg(to_jsonb(l) ORDER BY l.completed_at DESC)::text FROM (
                SELECT * FROM work_order_log
                WHERE (\(workType)::text IS NULL OR work_type = \(workType)) AND (\(success)::boolean IS NULL OR success = \(success))
                  AND (\(agentID)::uuid IS NULL OR claimed_by = \(agentID))
                ORDER BY completed_at DESC LIMIT \(limit)) AS l
            """)
    }

    public func logGetJSON(_ id: UUID) async throws -> String? {
        try await sql.text("SELECT to_jsonb(l)::text FROM work_order_log l WHERE id = \(id)")
    }
}
