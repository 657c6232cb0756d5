import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `deployment_health`: the current health of each deployment object per agent (upserted).
public struct DeploymentHealthStore: Sendable {
    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

    /// Upserts the agent's reports in one statement; objects that do not exist are skipped.
    public func upsert(agentID: UUID, reports: [DeploymentObjectHealthUpdate]) async throws -> Int {
        guard !reports.isEmpty else { return 0 }
        let summaries = try reports.map { try $0.summary.map(ContractJSON.encodeString) ?? "" }
        return try await sql.affectedRows(
            """
            INSERT INTO deployment_health (agent_id, deployment_object_id, status, summary, checked_at)
            SELECT \(agentID), r.id, r.status, NULLIF(r.summary, ''), r.checked_at
            FROM unnest(\(reports.map(\.id))::uuid[], \(reports.map(\.status))::text[],
                        \(summaries)::text[], \(reports.map(\.checkedAt))::timestamptz[]) AS r(id, status, summary, checked_at)
            WHERE EXISTS (SELECT 1 FROM deployment_objects d WHERE d.id = r.id)
            ON CONFLICT (agent_id, deployment_object_id) DO UPDATE
                SET status = EXCLUDED.status, summary = EXCLUDED.summary, checked_at = EXCLUDED.checked_at
            RETURNING id
            """)
    }

    /// Every agent's report for the object, newest first.
    public func records(deploymentObjectID: UUID) async throws -> [DeploymentHealth] {
        try await sql.models(
            """
            SELECT * FROM deployment_health WHERE deployment_object_id = \(deploymentObjectID) ORDER BY checked_at DESC
            """, as: DeploymentHealth.self)
    }

    /// (object id, status) of every report for the stack's objects.
    public func statuses(stackID: UUID) async throws -> [(UUID, String)] {
        var out: [(UUID, String)] = []
        for try await row in try await sql.rows(
            """
            SELECT h.deployment_object_id, h.status FROM deployment_health h
            JOIN deployment_objects d ON d.id = h.deployment_object_id WHERE d.stack_id = \(stackID)
            """
        ).decode((UUID, String).self) { out.append(row) }
        return out
    }
}
