import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// /work-orders, /work-order-log and an agent's pending work orders (docs/webhooks-and-work-orders.md).
/// Claims and completions are single conditional statements in one transaction with their event and
/// audit entry; the API never waits for, retries or sends anything itself.
enum WorkOrderRoutes {
    static let workOrderNotFound = APIError(.workOrderNotFound, "Work order not found")

    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        let admin = AccessPolicy.admin()

        api.add(.get, "work-orders", admin, failure: "Failed to fetch work orders") { request, _, _ in
            let q = request.uri.queryParameters
            return try JSONResponse.encode(
                try await s.workOrders.list(status: q["status"].map(String.init), workType: q["work_type"].map(String.init)))
        }

        api.add(.post, "work-orders", admin, failure: "Failed to create work order") { request, _, principal in
            let order = WorkOrderRequests.newOrder(try await request.decode(as: CreateWorkOrderRequest.self))
            let created = try await s.transaction { tx -> WorkOrder in
                let created = try await WorkOrderStore(sql: tx).create(order)
                let id = created.id
                try await EventOutbox.emit(
                    BrokkrEvent(
                        eventType: "workorder.created",
                        data: .object([
                            "work_order_id": .string(id.lowercasedString), "work_type": .string(order.workType), "status": .string("PENDING"),
                        ])), on: tx)
                try await s.audit(
                    tx, principal, "workorder.created", resourceType: "work_order", resourceID: id,
                    details: .object(["work_type": .string(order.workType)]), request: request)
                return created
            }
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
            let order = try await s.transaction { tx -> WorkOrder in
                switch try await WorkOrderStore(sql: tx).claim(id, agentID: agentID) {
                case .claimed(let order):
                    try await s.audit(
                        tx, principal, "workorder.claimed", resourceType: "work_order", resourceID: id,
                        details: .object(["agent_id": .string(agentID.lowercasedString)]), request: request)
                    return order
                case .notClaimable: throw APIError(.workOrderNotClaimable, "Work order not found or not claimable")
                case .alreadyClaimed: throw APIError(.workOrderAlreadyClaimed, "Work order already claimed")
                }
            }
            return try JSONResponse.encode(order)
        }

        api.add(.post, "work-orders/:id/complete", .adminOrAgent(.workOrderNotClaimedByAgent), failure: "Failed to complete work order") {
            request, context, principal in
            let id = try context.uuid("id")
            let body = try await RequestBytes.read(request)
            return try await s.transaction { tx -> Response in
                guard let order = try await WorkOrderStore(sql: tx).lockActive(id) else {
                    throw workOrderNotFound
                }
                // Only the claiming agent (or the admin) reports; unlike the original, a caller without
                // an agent identity never passes on an unclaimed order.
                guard principal.isAdmin || (principal.agentID != nil && principal.agentID == order.claimedBy) else {
                    throw APIError(.workOrderNotClaimedByAgent, "Only the agent that claimed the work order may complete it")
                }
                let completion = try RequestBytes.decode(CompleteWorkOrderRequest.self, from: body)
                let success = completion.success
                let message = completion.message ?? (success ? nil : "Unknown error")
                let retryable = completion.retryable ?? true
                let outcome = try await WorkOrderStore(sql: tx).complete(order, success: success, message: message, retryable: retryable)
                var details: [String: JSONValue] = ["success": .bool(success), "message": message.map(JSONValue.string) ?? .null]
                if outcome == .retryScheduled { details["retry_scheduled"] = .bool(true) }
                try await s.audit(
                    tx, principal, success ? "workorder.completed" : "workorder.failed", resourceType: "work_order",
                    resourceID: id, details: .object(details), request: request)
                switch outcome {
                case .logged(let entry): return try JSONResponse.encode(entry)
                case .retryScheduled: return try JSONResponse.encode(WorkOrderRetryScheduled(), status: .accepted)
                }
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
            return try JSONResponse.encode(try await s.workOrders.pending(agentID: try context.uuid("id"), workType: workType))
        }
    }
}
