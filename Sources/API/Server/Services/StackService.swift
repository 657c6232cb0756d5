import BrokkrCommon
import BrokkrQueue
import Foundation

/// Every change to a stack and its deployment objects, with audit entries and `stack.*` /
/// `deployment.*` events, whichever path makes it (a stack route, template instantiation).
struct StackService {
    let s: BrokerServices

    static let notFound = APIError(.stackNotFound, "Stack not found")

    func create(name: String, description: String?, generatorID: UUID, by actor: ChangeActor) async throws -> Stack {
        try await s.change(by: actor) { change in
            let stack = try await StackStore(sql: change.tx).create(name: name, description: description, generatorID: generatorID)
            try await change.audit(
                "stack.created", "stack", stack.id,
                details: .object(["name": .string(name), "generator_id": .string(generatorID.lowercasedString)]))
            try await change.emit(
                BrokkrEvent(
                    eventType: "stack.created",
                    data: .object([
                        "stack_id": .string(stack.id.lowercasedString), "name": .string(name),
                        "created_at": .string(RFC3339.string(from: stack.createdAt)),
                    ])), stackID: stack.id)
            return stack
        }
    }

    func update(_ id: UUID, name: String, description: String?, generatorID: UUID, by actor: ChangeActor) async throws -> Stack {
        try await s.change(by: actor) { change in
            guard let stack = try await StackStore(sql: change.tx).update(id, name: name, description: description, generatorID: generatorID) else {
                throw Self.notFound
            }
            try await change.audit("stack.updated", "stack", id, details: .object(["name": .string(name)]))
            return stack
        }
    }

    /// Soft-deletes the stack; its objects go with it (a trigger), each with its `deployment.deleted` event.
    func delete(_ id: UUID, by actor: ChangeActor) async throws {
        try await s.change(by: actor) { change in
            guard try await StackStore(sql: change.tx).softDelete(id) else { throw Self.notFound }
            try await change.audit("stack.deleted", "stack", id)
            try await change.emit(
                BrokkrEvent(
                    eventType: "stack.deleted",
                    data: .object(["stack_id": .string(id.lowercasedString), "deleted_at": .string(RFC3339.string(from: Date()))])),
                stackID: id)
            try await CascadeEvents.deploymentsDeleted(change)
        }
    }

    /// A new deployment object (the stack's next desired state) and its `deployment.created` event;
    /// `rendering` records the template and parameters it was rendered from.
    func addObject(
        to stackID: UUID, yaml: String, isDeletionMarker: Bool, rendering: (template: StackTemplate, parameters: JSONValue)? = nil,
        by actor: ChangeActor
    ) async throws -> DeploymentObject {
        try await s.change(by: actor) { change in
            let object = try await DeploymentObjectStore(sql: change.tx).create(stackID: stackID, yaml: yaml, isDeletionMarker: isDeletionMarker)
            try await change.emit(
                BrokkrEvent(
                    eventType: "deployment.created",
                    data: .object([
                        "deployment_object_id": .string(object.id.lowercasedString), "stack_id": .string(stackID.lowercasedString),
                        "sequence_id": .int(Int64(object.sequenceID)),
                    ])), stackID: stackID)
            if let rendering {
                try await TemplateStore(sql: change.tx).recordRendering(
                    deploymentObjectID: object.id, template: rendering.template, parameters: rendering.parameters.serialized())
            }
            return object
        }
    }
}
