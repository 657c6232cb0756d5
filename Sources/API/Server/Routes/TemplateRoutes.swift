import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// /templates: versioned Tera templates with JSON Schema parameters, and their instantiation into a
/// stack's deployment objects.
enum TemplateRoutes {
    static let templateNotFound = TemplateService.notFound

    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.get, "templates", .adminOrGenerator(.templatesNotAccessible), failure: "Failed to fetch templates") { _, _, principal in
            try JSONResponse.encode(try await TemplateStore(sql: s.database).list(visibleTo: principal.generatorID))
        }

        api.add(.post, "templates", .adminOrGenerator(.templatesNotAccessible), failure: "Failed to create template") { request, _, principal in
            let new = try await request.decode(as: CreateTemplateRequest.self)
            let template = try await TemplateService(s: s).create(
                generatorID: principal.generatorID, name: new.name, description: new.description, content: new.templateContent,
                schema: new.parametersSchema.text, by: ChangeActor(principal, request))
            return try JSONResponse.encode(template, status: .created)
        }

        api.add(.get, "templates/:id", .resourceChecked, failure: "Failed to fetch template") { _, context, principal in
            try JSONResponse.encode(try await readableTemplate(context, principal, s))
        }

        api.add(.put, "templates/:id", .resourceChecked, failure: "Failed to update template") { request, context, principal in
            let current = try await modifiableTemplate(context, principal, s)
            let update = try await request.decode(as: UpdateTemplateRequest.self)
            let template = try await TemplateService(s: s).update(
                current, description: update.description ?? current.description, content: update.templateContent,
                schema: update.parametersSchema.text, by: ChangeActor(principal, request))
            return try JSONResponse.encode(template)
        }

        api.add(.delete, "templates/:id", .resourceChecked, failure: "Failed to delete template") { request, context, principal in
            let template = try await modifiableTemplate(context, principal, s)
            try await TemplateService(s: s).delete(template.id, by: ChangeActor(principal, request))
            return JSONResponse.empty(.noContent)
        }

        registerTags(api, s)

        api.add(
            .post, "stacks/:id/deployment-objects/from-template", .resourceChecked,
            failure: "Failed to create deployment object"
        ) { request, context, principal in
            try await instantiate(request, context, principal, s)
        }
    }

    static func registerTags(_ api: APIRoutes, _ s: BrokerServices) {
        TagRoutes<TemplateLabel, TemplateAnnotation>(
            collection: "templates", noun: "template", tags: s.tags(.template), readPolicy: .resourceChecked, writePolicy: .resourceChecked,
            readable: { context, principal in try await readableTemplate(context, principal, s).id },
            writable: { context, principal in try await modifiableTemplate(context, principal, s).id },
            label: { request, _, _ in try await request.decode(as: LabelRequest.self).label },
            annotation: { request, _, _ in
                let new = try await request.decode(as: AddAnnotationRequest.self)
                return (new.key, new.value)
            },
            labelNotFound: .templateLabelNotFound, annotationNotFound: .templateAnnotationNotFound
        ).register(api)
    }

    /// POST /stacks/{stack_id}/deployment-objects/from-template, in the original's order: stack,
    /// ownership, template, then what `TemplateService.instantiate` checks.
    static func instantiate(_ request: Request, _ context: BrokkrRequestContext, _ principal: Principal, _ s: BrokerServices) async throws -> Response
    {
        // The contract names this parameter {stack_id}; the router needs one name per position, so it is :id.
        let stack = try await StackRoutes.ownedStack(context, principal, s)
        let instantiation = try await request.decode(as: TemplateInstantiationRequest.self)
        let parameters = instantiation.parameters ?? .object([:])
        guard let template = try await TemplateStore(sql: s.database).get(instantiation.templateID) else { throw templateNotFound }
        if let generator = principal.generatorID, template.generatorID != nil, template.generatorID != generator {
            throw templateNotFound
        }
        let object = try await TemplateService(s: s).instantiate(template, into: stack, parameters: parameters, by: ChangeActor(principal, request))
        return try JSONResponse.encode(object, status: .created)
    }

    /// The path's template if the caller may read it: admin, or a generator for system and own templates.
    static func readableTemplate(_ context: BrokkrRequestContext, _ principal: Principal, _ s: BrokerServices) async throws -> StackTemplate {
        guard let template = try await TemplateStore(sql: s.database).get(try context.uuid("id")) else { throw templateNotFound }
        if principal.agentID != nil { throw APIError(.templateNotAccessible, "Agents cannot read templates") }
        if let generator = principal.generatorID, template.generatorID != nil, template.generatorID != generator {
            throw APIError(.templateNotAccessible, "The template belongs to another generator")
        }
        return template
    }

    /// The path's template if the caller may change it: admin, or the owning generator (never a system template).
    static func modifiableTemplate(_ context: BrokkrRequestContext, _ principal: Principal, _ s: BrokerServices) async throws -> StackTemplate {
        let template = try await readableTemplate(context, principal, s)
        if let generator = principal.generatorID, template.generatorID != generator {
            throw APIError(.templateNotOwned, "Only the template's generator may change it")
        }
        return template
    }
}
