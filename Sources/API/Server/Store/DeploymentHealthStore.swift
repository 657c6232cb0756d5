import BrokkrCommon
import Foundation
import PostgresNIO

/// SQL for `deployment_health`: the current health of each deployment object per agent (upserted).
public struct DeploymentHealthStore: Sendable {
    public struct Report: Sendable {
        public let deploymentObjectID: UUID
        public let status: String
        public let summary: String?
        public let checkedAt: Date
    }

    let sql: any SQLExecutor

    /// Upserts the agent's reports in one statement; objects that do not exist are skipped.
    public func upsert(agentID: UUID, reports: [Report]) async throws -> Int {
        guard !reports.isEmpty else { return 0 }
        return try await sql.affectedRows("""
            INSERT INTO deployment_health (agent_id, deployment_object_id, status, summary, checked_at)
            SELECT \(agentID), r.id, r.status, NULLIF(r.summary, ''), r.checked_at
            FROM unnest(\(reports.map(\.deploymentObjectID))::uuid[], \(reports.map(\.status))::text[],
                        \(reports.map { $0.summary ?? "" })::text[], \(reports.map(\.checkedAt))::timestamptz[]) AS r(id, status, summary, checked_at)
            WHERE EXISTS (SELECT 1 FROM deployment_objects d WHERE d.id = r.id)
            ON CONFLICT (agent_id, deployment_object_id) DO UPDATE
                SET status = EXCLUDED.status, summary = EXCLUDED.summary, checked_at = EXCLUDED.checked_at
            RETURNING id
            """)
    }

    /// (status, record JSON) of every agent's report for the object.
    public func records(deploymentObjectID: UUID) async throws -> [(String, String)] {
        var out: [(String, String)] = []
        for try await row in try await sql.rows("""
            SELECT status, to_jsonb(h)::text FROM deployment_health h WHERE deployment_object_id = \(deploymentObjectID) ORDER BY checked_at DESC
            """).decode((String, String).self) { out.append(row) }
        return out
    }

    /// (object id, status) of every report for the stack's objects.
    public func statuses(stackID: UUID) async throws -> [(UUID, String)] {
        var out: [(UUID, String)] = []
        for try await row in try await sql.rows("""
            SELECT h.deployment_object_id, h.status FROM deployment_health h
            JOIN deployment_objects d ON d.id = h.deployment_object_id WHERE d.stack_id = \(stackID)
            """).decode((UUID, String).self) { out.append(row) }
        return out
    }
}
