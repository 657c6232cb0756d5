import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// Deployment health: agents report per deployment object; the admin reads per object and per stack,
/// with the worst status winning (failing > degraded > healthy > unknown).
enum HealthRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.patch, "agents/:id/health-status", .adminOrAgentSelf(), failure: "Failed to update health status") { request, context, _ in
            let agentID = try context.uuid("id")
            let update = try await request.decode(as: HealthStatusUpdate.self)
            _ = try await DeploymentHealthStore(sql: s.database).upsert(agentID: agentID, reports: update.deploymentObjects)
            return JSONResponse.empty(.ok)
        }

        api.add(.get, "deployment-objects/:id/health", .admin(), failure: "Failed to get deployment health") { _, context, _ in
            let id = try context.uuid("id")
            let records = try await DeploymentHealthStore(sql: s.database).records(deploymentObjectID: id)
            return try JSONResponse.encode(
                DeploymentHealthResponse(
                    deploymentObjectID: id, healthRecords: records,
                    overallStatus: worst(records.map(\.status))))
        }

        api.add(.get, "stacks/:id/health", .admin(), failure: "Failed to get stack health") { _, context, _ in
            let stackID = try context.uuid("id")
            let byObject = Dictionary(grouping: try await DeploymentHealthStore(sql: s.database).statuses(stackID: stackID), by: \.0)
            let objects = byObject.keys.sorted { $0.uuidString < $1.uuidString }.map { id in
                let list = byObject[id]!.map(\.1)
                return DeploymentObjectHealthSummary(
                    id: id, status: worst(list), healthyAgents: list.filter { $0 == "healthy" }.count,
                    degradedAgents: list.filter { $0 == "degraded" }.count,
                    failingAgents: list.filter { $0 == "failing" }.count)
            }
            return try JSONResponse.encode(
                StackHealthResponse(stackID: stackID, overallStatus: worst(objects.map(\.status)), deploymentObjects: objects))
        }
    }

    /// failing > degraded > healthy > unknown; no records is unknown.
    static func worst(_ statuses: [String]) -> String {
        for status in ["failing", "degraded", "healthy"] where statuses.contains(status) { return status }
        return "unknown"
    }
}
