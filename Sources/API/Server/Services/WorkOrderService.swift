import BrokkrCommon
import BrokkrQueue
import Foundation

/// Every change to a work order (create, claim, complete), with its audit entry and `workorder.*`
/// event in one transaction; the API never waits for, retries or sends anything itself.
struct WorkOrderService {
    let s: BrokerServices

    static let notFound = APIError(.workOrderNotFound, "Work order not found")

    func create(_ order: WorkOrderStore.NewOrder, by actor: ChangeActor) async throws -> WorkOrder {
        try await s.change(by: actor) { change in
            let created = try await WorkOrderStore(sql: change.tx).create(order)
            try await change.emit(
                BrokkrEvent(
                    eventType: "workorder.created",
                    data: .object([
                        "work_order_id": .string(created.id.lowercasedString), "work_type": .string(order.workType), "status": .string("PENDING"),
                    ])))
            try await change.audit("workorder.created", "work_order", created.id, details: .object(["work_type": .string(order.workType)]))
            return created
        }
    }

    /// Claims a PENDING order for an eligible agent; of concurrent claimers exactly one wins.
    func claim(_ id: UUID, for agentID: UUID, by actor: ChangeActor) async throws -> WorkOrder {
        try await s.change(by: actor) { change in
            switch try await WorkOrderStore(sql: change.tx).claim(id, agentID: agentID) {
            case .claimed(let order):
                try await change.audit("workorder.claimed", "work_order", id, details: .object(["agent_id": .string(agentID.lowercasedString)]))
                return order
            case .notClaimable: throw APIError(.workOrderNotClaimable, "Work order not found or not claimable")
            case .alreadyClaimed: throw APIError(.workOrderAlreadyClaimed, "Work order already claimed")
            }
        }
    }

    /// Records a finished attempt of an active order, which stays locked from the check of who
    /// reports to the outcome: only the claiming agent (or the admin) reports; unlike the original, a
    /// caller without an agent identity never passes on an unclaimed order. `report` is read after
    /// that check (404, then 403, then the body's 422).
    func complete(
        _ id: UUID, caller: Principal, report: () throws -> CompleteWorkOrderRequest, by actor: ChangeActor
    ) async throws -> WorkOrderStore.CompletionOutcome {
        try await s.change(by: actor) { change in
            let store = WorkOrderStore(sql: change.tx)
            guard let order = try await store.lockActive(id) else { throw Self.notFound }
            guard caller.isAdmin || (caller.agentID != nil && caller.agentID == order.claimedBy) else {
                throw APIError(.workOrderNotClaimedByAgent, "Only the agent that claimed the work order may complete it")
            }
            let completion = try report()
            let success = completion.success
            let message = completion.message ?? (success ? nil : "Unknown error")
            let outcome = try await store.complete(order, success: success, message: message, retryable: completion.retryable ?? true)
            var details: [String: JSONValue] = ["success": .bool(success), "message": message.map(JSONValue.string) ?? .null]
            if outcome == .retryScheduled { details["retry_scheduled"] = .bool(true) }
            try await change.audit(success ? "workorder.completed" : "workorder.failed", "work_order", id, details: .object(details))
            return outcome
        }
    }
}
