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
                ])), agentID: id, on: tx.connection, logger: tx.logger)
    }

    static func agentDeregistered(_ tx: Transaction, id: UUID) async throws {
        let name = try await tx.firstValue("SELECT name FROM agents WHERE id = \(id)", as: String.self)
        try await EventOutbox.emit(
            BrokkrEvent(
                eventType: "agent.deregistered",
                data: .object([
                    "agent_id": .string(id.lowercasedString), "name": name.map(JSONValue.string) ?? .null,
                ])), agentID: id, on: tx.connection, logger: tx.logger)
    }

    /// `stack.deleted` for every stack soft-deleted by this transaction (a generator's cascade), then
    /// `deployment.deleted` for their objects. Rows deleted in one transaction share its `now()`.
    static func stacksDeleted(_ tx: Transaction) async throws {
        var stacks: [(UUID, Date)] = []
        for try await row in try await tx.rows("SELECT id, deleted_at FROM stacks WHERE deleted_at = now()").decode((UUID, Date).self) {
            stacks.append(row)
        }
        for (id, deletedAt) in stacks {
            try await EventOutbox.emit(
                BrokkrEvent(
                    eventType: "stack.deleted",
                    data: .object([
                        "stack_id": .string(id.lowercasedString), "deleted_at": .string(RFC3339.string(from: deletedAt)),
                    ])), stackID: id, on: tx.connection, logger: tx.logger)
        }
        try await deploymentsDeleted(tx)
    }

    /// `deployment.deleted` for every object soft-deleted by this transaction (the stack triggers).
    static func deploymentsDeleted(_ tx: Transaction) async throws {
        var objects: [(UUID, UUID)] = []
        let rows = try await tx.rows("SELECT id, stack_id FROM deployment_objects WHERE deleted_at = now() AND NOT is_deletion_marker")
        for try await row in rows.decode((UUID, UUID).self) { objects.append(row) }
        for (id, stackID) in objects {
            try await EventOutbox.emit(
                BrokkrEvent(
                    eventType: "deployment.deleted",
                    data: .object([
                        "deployment_object_id": .string(id.lowercasedString), "stack_id": .string(stackID.lowercasedString),
                    ])), stackID: stackID, on: tx.connection, logger: tx.logger)
        }
    }
}
