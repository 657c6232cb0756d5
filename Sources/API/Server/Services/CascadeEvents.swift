import BrokkrCommon
import BrokkrQueue
import Foundation

/// The events of rows a change deleted by cascade (database triggers): `stack.deleted` for a deleted
/// generator's stacks, `deployment.deleted` for a deleted stack's objects, written in the change's
/// transaction.
enum CascadeEvents {
    /// `stack.deleted` for every stack soft-deleted by this transaction, then `deployment.deleted` for
    /// their objects.
    static func stacksDeleted(_ change: Change) async throws {
        for (id, deletedAt) in try await StackStore(sql: change.tx).deletedByThisTransaction() {
            try await change.emit(
                BrokkrEvent(
                    eventType: "stack.deleted",
                    data: .object(["stack_id": .string(id.lowercasedString), "deleted_at": .string(RFC3339.string(from: deletedAt))])),
                stackID: id)
        }
        try await deploymentsDeleted(change)
    }

    /// `deployment.deleted` for every object soft-deleted by this transaction.
    static func deploymentsDeleted(_ change: Change) async throws {
        for (id, stackID) in try await DeploymentObjectStore(sql: change.tx).deletedByThisTransaction() {
            try await change.emit(
                BrokkrEvent(
                    eventType: "deployment.deleted",
                    data: .object(["deployment_object_id": .string(id.lowercasedString), "stack_id": .string(stackID.lowercasedString)])),
                stackID: stackID)
        }
    }
}
