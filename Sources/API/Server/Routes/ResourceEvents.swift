import BrokkrCommon
import BrokkrQueue
import Foundation
import PostgresNIO

/// The lifecycle events of agents, stacks and deployment objects (`agent.*`, `stack.*`, `deployment.*`
/// of `BrokkrEventType.all`) that need more than one line at their call site, written in the caller's
/// transaction.
enum ResourceEvents {
    static func agentRegistered(_ tx: Transaction, id: UUID, name: String, cluster: String) async throws {
        try await EventOutbox.emit(
            BrokkrEvent(
                eventType: "agent.registered",
                data: .object([
                    "agent_id": .string(id.lowercasedString), "name": .string(name), "cluster": .string(cluster),
                ])), agentID: id, on: tx)
    }

    static func agentDeregistered(_ tx: Transaction, id: UUID) async throws {
        let name = try await AgentStore(sql: tx).name(id)
        try await EventOutbox.emit(
            BrokkrEvent(
                eventType: "agent.deregistered",
                data: .object([
                    "agent_id": .string(id.lowercasedString), "name": name.map(JSONValue.string) ?? .null,
                ])), agentID: id, on: tx)
    }

    /// `stack.deleted` for every stack soft-deleted by this transaction (a generator's cascade), then
    /// `deployment.deleted` for their objects. Rows deleted in one transaction share its `now()`.
    static func stacksDeleted(_ tx: Transaction) async throws {
        for (id, deletedAt) in try await StackStore(sql: tx).deletedByThisTransaction() {
            try await EventOutbox.emit(
                BrokkrEvent(
                    eventType: "stack.deleted",
                    data: .object([
                        "stack_id": .string(id.lowercasedString), "deleted_at": .string(RFC3339.string(from: deletedAt)),
                    ])), stackID: id, on: tx)
        }
        try await deploymentsDeleted(tx)
    }

    /// `deployment.deleted` for every object soft-deleted by this transaction (the stack triggers).
    static func deploymentsDeleted(_ tx: Transaction) async throws {
        for (id, stackID) in try await DeploymentObjectStore(sql: tx).deletedByThisTransaction() {
            try await EventOutbox.emit(
                BrokkrEvent(
                    eventType: "deployment.deleted",
                    data: .object([
                        "deployment_object_id": .string(id.lowercasedString), "stack_id": .string(stackID.lowercasedString),
                    ])), stackID: stackID, on: tx)
        }
    }
}
