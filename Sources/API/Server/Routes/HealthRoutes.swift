import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// Deployment health: agents report per deployment object; the admin reads per object and per stack,
/// with the worst status winning (failing > degraded > healthy > unknown).
enum HealthRoutes {
    static let statuses = ["healthy", "degraded", "failing", "unknown"]

    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.patch, "agents/:id/health-status", .adminOrAgentSelf(), failure: "Failed to update health status") { request, context, _ in
            let agentID = try context.uuid("id")
            let body = try await RequestBody.read(request)
            guard case .array(let items)? = try body.object()["deployment_objects"] else {
                throw APIError(.invalidField, "deployment_objects must be an array")
            }
            // As in the original, entries that are not valid reports (unknown status, bad id) are skipped.
            let reports = items.compactMap { item -> DeploymentHealthStore.Report? in
                guard let id = item["id"]?.stringValue.flatMap(UUID.init(uuidString:)),
                      let status = item["status"]?.stringValue, statuses.contains(status),
                      let checkedAt = item["checked_at"]?.stringValue.flatMap(RFC3339.date(from:)) else { return nil }
                let summary = item["summary"].flatMap { $0 == .null ? nil : $0.serialized() }
                return DeploymentHealthStore.Report(deploymentObjectID: id, status: status, summary: summary, checkedAt: checkedAt)
            }
            _ = try await DeploymentHealthStore(sql: s.database).upsert(agentID: agentID, reports: reports)
            return JSONResponse.empty(.ok)
        }

        api.add(.get, "deployment-objects/:id/health", .admin(), failure: "Failed to get deployment health") { _, context, _ in
            let id = try context.uuid("id")
            let records = try await DeploymentHealthStore(sql: s.database).records(deploymentObjectID: id)
            let overall = worst(records.map(\.0))
            return JSONResponse.raw(#"{"deployment_object_id":"\#(id.uuidString.lowercased())","health_records":[\#(records.map(\.1).joined(separator: ","))],"overall_status":"\#(overall)"}"#)
        }

        api.add(.get, "stacks/:id/health", .admin(), failure: "Failed to get stack health") { _, context, _ in
            let stackID = try context.uuid("id")
            let byObject = Dictionary(grouping: try await DeploymentHealthStore(sql: s.database).statuses(stackID: stackID), by: \.0)
            let objects = byObject.keys.sorted { $0.uuidString < $1.uuidString }.map { id -> JSONValue in
                let list = byObject[id]!.map(\.1)
                return .object([
                    "id": .string(id.uuidString.lowercased()), "status": .string(worst(list)),
                    "healthy_agents": .int(Int64(list.filter { $0 == "healthy" }.count)),
                    "degraded_agents": .int(Int64(list.filter { $0 == "degraded" }.count)),
                    "failing_agents": .int(Int64(list.filter { $0 == "failing" }.count)),
                ])
            }
            let overall = worst(objects.compactMap { $0["status"]?.stringValue })
            return JSONResponse.raw(JSONValue.object([
                "stack_id": .string(stackID.uuidString.lowercased()), "overall_status": .string(overall), "deployment_objects": .array(objects),
            ]).serialized())
        }
    }

    /// failing > degraded > healthy > unknown; no records is unknown.
    static func worst(_ statuses: [String]) -> String {
        for status in ["failing", "degraded", "healthy"] where statuses.contains(status) { return status }
        return "unknown"
    }
}
