import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// /stacks: named collections of deployment objects owned by a generator.
enum StackRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        // The admin sees every stack, a generator its own.
        api.add(.get, "stacks", .adminOrGenerator(.stacksListDenied), failure: "Failed to fetch stacks") { _, _, principal in
            let stacks = try await s.stacks.list(generatorID: principal.generatorID)
            if principal.isAdmin { s.metrics.stacksTotal.set(Double(stacks.count)) }
            return try JSONResponse.encode(stacks)
        }

        api.add(.post, "stacks", .adminOrGenerator(.stackCreateDenied), failure: "Failed to create stack") { request, _, principal in
            let new = try await request.decode(as: NewStack.self)
            let generatorID: UUID
            if let own = principal.generatorID {
                generatorID = new.generatorID ?? own
                guard generatorID == own else { throw APIError(.stackGeneratorMismatch, "A generator can only create stacks for itself") }
            } else {
                guard let id = new.generatorID else { throw APIError(.invalidField, "missing required field generator_id") }
                generatorID = id
            }
            guard try await s.generators.exists(generatorID) else { throw unknownGenerator }
            let stack = try await StackService(s: s).create(
                name: new.name, description: new.description, generatorID: generatorID, by: ChangeActor(principal, request))
            return try JSONResponse.encode(stack, status: .created)
        }

        api.add(.get, "stacks/:id", .resourceChecked, failure: "Failed to fetch stack") { _, context, principal in
            try JSONResponse.encode(try await ownedStack(context, principal, s))
        }

        api.add(.put, "stacks/:id", .resourceChecked, failure: "Failed to update stack") { request, context, principal in
            let current = try await ownedStack(context, principal, s)
            let update = try await request.decode(as: UpdateStackRequest.self)
            if let bodyID = update.id, bodyID != current.id { throw APIError(.stackIdMismatch, "Stack ID mismatch") }
            let name = update.name ?? current.name
            let generatorID = update.generatorID ?? current.generatorID
            if let own = principal.generatorID, generatorID != own {
                throw APIError(.stackGeneratorMismatch, "A generator can only own its own stacks")
            }
            guard try await s.generators.exists(generatorID) else { throw unknownGenerator }
            let stack = try await StackService(s: s).update(
                current.id, name: name, description: update.description, generatorID: generatorID, by: ChangeActor(principal, request))
            return try JSONResponse.encode(stack)
        }

        api.add(.delete, "stacks/:id", .resourceChecked, failure: "Failed to delete stack") { request, context, principal in
            let stack = try await ownedStack(context, principal, s)
            try await StackService(s: s).delete(stack.id, by: ChangeActor(principal, request))
            return JSONResponse.empty(.noContent)
        }

        registerTags(api, s)
    }

    static func registerTags(_ api: APIRoutes, _ s: BrokerServices) {
        TagRoutes<StackLabel, StackAnnotation>(
            collection: "stacks", noun: "stack", tags: s.tags(.stack), readPolicy: .resourceChecked, writePolicy: .resourceChecked,
            readable: { context, principal in try await readableStack(context, principal, s) },
            writable: { context, principal in try await ownedStack(context, principal, s).id },
            label: { request, _, _ in try await request.decode(as: LabelRequest.self).label },
            annotation: { request, stackID, _ in
                let new = try await request.decode(as: NewStackAnnotation.self)
                if let bodyID = new.stackID, bodyID != stackID { throw APIError(.stackIdMismatch, "Stack ID mismatch") }
                return (new.key, new.value)
            },
            labelNotFound: .stackLabelNotFound, annotationNotFound: .stackAnnotationNotFound
        ).register(api)
    }

    static let stackNotFound = StackService.notFound
    static let unknownGenerator = APIError(
        .foreignKeyViolation, "generator_id does not name a generator",
        details: ["constraint": .string("stacks_generator_id_fkey")])

    /// The path's stack, which the caller must own (or be the admin): 404 before 403.
    static func ownedStack(_ context: BrokkrRequestContext, _ principal: Principal, _ s: BrokerServices, idParameter: String = "id") async throws
        -> Stack
    {
        guard let stack = try await s.stacks.get(try context.uuid(idParameter)) else { throw stackNotFound }
        try Access.requireStackOwner(principal, ownerID: stack.generatorID)
        return stack
    }

    /// The path's stack id if the caller may read its metadata: the admin, the owning generator, or an
    /// agent the stack is associated with (by target, label or annotation).
    static func readableStack(_ context: BrokkrRequestContext, _ principal: Principal, _ s: BrokerServices) async throws -> UUID {
        guard let stack = try await s.stacks.get(try context.uuid("id")) else { throw stackNotFound }
        if let agent = principal.agentID {
            guard try await s.stacks.isAssociated(stackID: stack.id, agentID: agent) else {
                throw APIError(.stackNotAccessible, "The stack is not associated with this agent")
            }
        } else {
            try Access.requireStackOwner(principal, ownerID: stack.generatorID, denied: .stackNotAccessible)
        }
        return stack.id
    }
}
