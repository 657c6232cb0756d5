import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for reading and creating work orders and reading `work_order_log`. State transitions
/// (claim, complete, retry, expiry) are in `WorkOrderStore+Lifecycle` and `+Maintenance`, shared with brokkr-workorders.
public struct WorkOrderStore: Sendable {
    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

    public struct NewOrder: Sendable {
        public var workType: String
        public var yamlContent: String
        public var maxRetries: Int
        public var backoffSeconds: Int
        public var claimTimeoutSeconds: Int
        public var agentIDs: [UUID]
        public var labels: [String]
        public var annotations: [(String, String)]

        public init(
            workType: String, yamlContent: String, maxRetries: Int, backoffSeconds: Int, claimTimeoutSeconds: Int, agentIDs: [UUID], labels: [String],
            annotations: [(String, String)]
        ) {
            self.workType = workType
            self.yamlContent = yamlContent
            self.maxRetries = maxRetries
            self.backoffSeconds = backoffSeconds
            self.claimTimeoutSeconds = claimTimeoutSeconds
            self.agentIDs = agentIDs
            self.labels = labels
            self.annotations = annotations
        }
    }

    /// Inserts the order and its targeting rows (call inside a transaction).
    public func create(_ order: NewOrder) async throws -> WorkOrder {
        let created = try await sql.model(
            """
            INSERT INTO work_orders (work_type, yaml_content, max_retries, backoff_seconds, claim_timeout_seconds)
            VALUES (\(order.workType), \(order.yamlContent), \(order.maxRetries), \(order.backoffSeconds), \(order.claimTimeoutSeconds))
            RETURNING *
            """, as: WorkOrder.self)!
        let id = created.id
        if !order.agentIDs.isEmpty {
            _ = try await sql.affectedRows(
                """
                INSERT INTO work_order_targets (work_order_id, agent_id) SELECT \(id), unnest(\(order.agentIDs)::uuid[])
                ON CONFLICT DO NOTHING
                """)
        }
        if !order.labels.isEmpty {
            _ = try await sql.affectedRows("INSERT INTO work_order_labels (work_order_id, label) SELECT \(id), unnest(\(order.labels)::text[])")
        }
        if !order.annotations.isEmpty {
            _ = try await sql.affectedRows(
                """
                INSERT INTO work_order_annotations (work_order_id, key, value)
                SELECT \(id), k, v FROM unnest(\(order.annotations.map(\.0))::text[], \(order.annotations.map(\.1))::text[]) AS a(k, v)
                """)
        }
        return created
    }

    public func list(status: String?, workType: String?) async throws -> [WorkOrder] {
        try await sql.models(
            """
            SELECT * FROM work_orders w
            WHERE (\(status)::text IS NULL OR w.status = \(status)) AND (\(workType)::text IS NULL OR w.work_type = \(workType))
            ORDER BY w.created_at
            """, as: WorkOrder.self)
    }

    /// The active order, or one synthesised from its log entry (status COMPLETED or FAILED by `success`).
    public func get(_ id: UUID) async throws -> WorkOrder? {
        try await sql.model(
            """
            SELECT * FROM (
                SELECT 1 AS pick, id, created_at, updated_at, work_type, yaml_content, status, claimed_by, claimed_at,
                       claim_timeout_seconds, max_retries, retry_count, backoff_seconds, next_retry_after, last_error, last_error_at
                FROM work_orders w WHERE w.id = \(id)
                UNION ALL
                SELECT 2, l.id, l.created_at, l.completed_at, l.work_type, l.yaml_content,
                       CASE WHEN l.success THEN 'COMPLETED' ELSE 'FAILED' END, l.claimed_by, l.claimed_at,
                       0, 0, l.retries_attempted, 0, NULL, CASE WHEN l.success THEN NULL ELSE l.result_message END,
                       CASE WHEN l.success THEN NULL ELSE l.completed_at END
                FROM work_order_log l WHERE l.id = \(id)) AS found
            ORDER BY pick LIMIT 1
            """, as: WorkOrder.self)
    }

    /// Cancels an active order (not logged).
    public func delete(_ id: UUID) async throws -> Bool {
        try await sql.affectedRows("DELETE FROM work_orders WHERE id = \(id) RETURNING id") > 0
    }

    /// PENDING orders the agent may claim.
    public func pending(agentID: UUID, workType: String?) async throws -> [WorkOrder] {
        var binds = PostgresBindings()
        binds.append(agentID)
        binds.append(workType)
        return try await sql.models(
            PostgresQuery(
                unsafeSQL: """
                    SELECT * FROM work_orders w
                    WHERE w.status = 'PENDING' AND ($2::text IS NULL OR w.work_type = $2)
                      AND \(Self.eligibility(agent: "$1"))
                    ORDER BY w.created_at
                    """, binds: binds), as: WorkOrder.self)
    }

    public func logList(workType: String?, success: Bool?, agentID: UUID?, limit: Int?) async throws -> [WorkOrderLog] {
        try await sql.models(
            """
            SELECT * FROM work_order_log
            WHERE (\(workType)::text IS NULL OR work_type = \(workType)) AND (\(success)::boolean IS NULL OR success = \(success))
              AND (\(agentID)::uuid IS NULL OR claimed_by = \(agentID))
            ORDER BY completed_at DESC LIMIT \(limit)
            """, as: WorkOrderLog.self)
    }

    public func logEntry(_ id: UUID) async throws -> WorkOrderLog? {
        try await sql.model("SELECT * FROM work_order_log WHERE id = \(id)", as: WorkOrderLog.self)
    }
}
