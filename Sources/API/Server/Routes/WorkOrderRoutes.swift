import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// /work-orders, /work-order-log and an agent's pending work orders (docs/webhooks-and-work-orders.md);
/// changes go through `WorkOrderService`.
enum WorkOrderRoutes {
    static let workOrderNotFound = WorkOrderService.notFound

    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        let admin = AccessPolicy.admin()

        api.add(.get, "work-orders", admin, failure: "Failed to fetch work orders") { request, _, _ in
            let q = request.uri.queryParameters
            return try JSONResponse.encode(
                try await s.workOrders.list(status: q["status"].map(String.init), workType: q["work_type"].map(String.init)))
        }

        api.add(.post, "work-orders", admin, failure: "Failed to create work order") { request, _, principal in
            let order = WorkOrderRequests.newOrder(try await request.decode(as: CreateWorkOrderRequest.self))
            let created = try await WorkOrderService(s: s).create(order, by: ChangeActor(principal, request))
            return try JSONResponse.encode(created, status: .created)
        }

        api.add(.get, "work-orders/:id", admin, failure: "Failed to fetch work order") { _, context, _ in
            guard let order = try await s.workOrders.get(try context.uuid("id")) else { throw workOrderNotFound }
            return try JSONResponse.encode(order)
        }

        api.add(.delete, "work-orders/:id", admin, failure: "Failed to delete work order") { _, context, _ in
            guard try await s.workOrders.delete(try context.uuid("id")) else { throw workOrderNotFound }
            return JSONResponse.empty(.noContent)
        }

        api.add(.post, "work-orders/:id/claim", .adminOrAgent(.agentPakMismatch), failure: "Failed to claim work order") {
            request, context, principal in
            let id = try context.uuid("id")
            let agentID = try await request.decode(as: ClaimWorkOrderRequest.self).agentID
            if let caller = principal.agentID, caller != agentID { throw APIError(.agentPakMismatch, "An agent can only claim for itself") }
            let order = try await WorkOrderService(s: s).claim(id, for: agentID, by: ChangeActor(principal, request))
            return try JSONResponse.encode(order)
        }

        api.add(.post, "work-orders/:id/complete", .adminOrAgent(.workOrderNotClaimedByAgent), failure: "Failed to complete work order") {
            request, context, principal in
            let id = try context.uuid("id")
            let body = try await RequestBytes.read(request)
            let outcome = try await WorkOrderService(s: s).complete(
                id, caller: principal, report: { try RequestBytes.decode(CompleteWorkOrderRequest.self, from: body) },
                by: ChangeActor(principal, request))
            switch outcome {
            case .logged(let entry): return try JSONResponse.encode(entry)
            case .retryScheduled: return try JSONResponse.encode(WorkOrderRetryScheduled(), status: .accepted)
            }
        }

        api.add(.get, "work-order-log", admin, failure: "Failed to fetch work order log") { request, _, _ in
            let q = request.uri.queryParameters
            let success: Bool?
            switch q["success"].map(String.init) {
            case nil: success = nil
            case "true"?: success = true
            case "false"?: success = false
            case let other?: throw APIError(.invalidParameter, "success must be true or false, got \"\(other)\"")
            }
            let agentID = try q["agent_id"].map { raw -> UUID in
                guard let id = UUID(uuidString: String(raw)) else { throw APIError(.invalidParameter, "agent_id must be a UUID") }
                return id
            }
            let limit = try q["limit"].map { raw -> Int in
                guard let n = Int(raw), n >= 0 else { throw APIError(.invalidParameter, "limit must be a non-negative integer") }
                return n
            }
            return try JSONResponse.encode(
                try await s.workOrders.logList(
                    workType: q["work_type"].map(String.init), success: success,
                    agentID: agentID, limit: limit))
        }

        api.add(.get, "work-order-log/:id", admin, failure: "Failed to fetch work order log entry") { _, context, _ in
            guard let entry = try await s.workOrders.logEntry(try context.uuid("id")) else {
                throw APIError(.workOrderLogEntryNotFound, "Work order log entry not found")
            }
            return try JSONResponse.encode(entry)
        }

        api.add(.get, "agents/:id/work-orders/pending", .adminOrAgentSelf(), failure: "Failed to fetch pending work orders") { request, context, _ in
            let workType = request.uri.queryParameters["work_type"].map(String.init)
            return try JSONResponse.conditional(try await s.workOrders.pending(agentID: try context.uuid("id"), workType: workType), for: request)
        }
    }
}
