import BrokkrCommon
import BrokkrQueue
import BrokkrTemplating
import Foundation
import Hummingbird

/// /templates: versioned Tera templates with JSON Schema parameters, and their instantiation into a
/// stack's deployment objects.
enum TemplateRoutes {
    static let templateNotFound = APIError(.templateNotFound, "Template not found")

    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.get, "templates", .adminOrGenerator(.templatesNotAccessible), failure: "Failed to fetch templates") { _, _, principal in
            try JSONResponse.encode(try await TemplateStore(sql: s.database).list(visibleTo: principal.generatorID))
        }

        api.add(.post, "templates", .adminOrGenerator(.templatesNotAccessible), failure: "Failed to create template") { request, _, principal in
            let new = try await request.decode(as: CreateTemplateRequest.self)
            let name = new.name
            try validate(content: new.templateContent, schema: new.parametersSchema.text)
            let template = try await s.transaction { tx -> StackTemplate in
                let template = try await TemplateStore(sql: tx).createNextVersion(
                    generatorID: principal.generatorID, name: name, description: new.description, content: new.templateContent,
                    schema: new.parametersSchema.text)
                try await s.audit(
                    tx, principal, "template.created", resourceType: "template", resourceID: template.id,
                    details: .object(["name": .string(name), "version": .int(Int64(template.version))]), request: request)
                return template
            }
            return try JSONResponse.encode(template, status: .created)
        }

        api.add(.get, "templates/:id", .resourceChecked, failure: "Failed to fetch template") { _, context, principal in
            try JSONResponse.encode(try await readableTemplate(context, principal, s))
        }

        api.add(.put, "templates/:id", .resourceChecked, failure: "Failed to update template") { request, context, principal in
            let current = try await modifiableTemplate(context, principal, s)
            let update = try await request.decode(as: UpdateTemplateRequest.self)
            let content = update.templateContent
            let schema = update.parametersSchema.text
            let description = update.description ?? current.description
            try validate(content: content, schema: schema)
            let template = try await s.transaction { tx -> StackTemplate in
                let store = TemplateStore(sql: tx)
                let next = try await store.createNextVersion(
                    generatorID: current.generatorID, name: current.name,
                    description: description, content: content, schema: schema)
                try await store.copyTags(from: current.id, to: next.id)
                try await s.audit(
                    tx, principal, "template.updated", resourceType: "template", resourceID: next.id,
                    details: .object(["name": .string(current.name), "version": .int(Int64(next.version))]), request: request)
                return next
            }
            return try JSONResponse.encode(template)
        }

        api.add(.delete, "templates/:id", .resourceChecked, failure: "Failed to delete template") { request, context, principal in
            let template = try await modifiableTemplate(context, principal, s)
            try await s.transaction { tx in
                guard try await TemplateStore(sql: tx).softDelete(template.id) else { throw templateNotFound }
                try await s.audit(tx, principal, "template.deleted", resourceType: "template", resourceID: template.id, request: request)
            }
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
    /// ownership, template, label match (422), parameters (422), render (400), then the object and
    /// its provenance in one transaction.
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
        let templateTags = s.tags(.template)
        let stackTags = s.tags(.stack)
        let match = TemplateMatch(
            templateLabels: try await templateTags.labels(template.id),
            templateAnnotations: try await templateTags.annotations(template.id),
            stackLabels: try await stackTags.labels(stack.id),
            stackAnnotations: try await stackTags.annotations(stack.id))
        guard match.matches else {
            throw APIError(
                .templateStackMismatch, "Template labels do not match stack",
                details: [
                    "missing_labels": .array(match.missingLabels.map(JSONValue.string)),
                    "missing_annotations": .array(match.missingAnnotations.map { .array([.string($0.0), .string($0.1)]) }),
                ])
        }
        let yaml: String
        do {
            yaml = try StackTemplateEngine.render(
                content: template.templateContent, parametersSchema: template.parametersSchema,
                parameters: parameters, limits: TemplateLimits(s.config.value.broker))
        } catch {
            throw apiError(error)
        }
        if yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw APIError(.invalidDeploymentObject, "Template rendered to empty YAML content")
        }
        if let problem = YAMLDocuments.problem(in: yaml) {
            throw APIError(.invalidDeploymentObject, "Rendered template is not valid YAML: \(problem)")
        }
        let object = try await s.transaction { tx -> DeploymentObject in
            let object = try await DeploymentObjectRoutes.createObject(tx, stackID: stack.id, yaml: yaml, isDeletionMarker: false)
            try await TemplateStore(sql: tx).recordRendering(deploymentObjectID: object.id, template: template, parameters: parameters.serialized())
            return object
        }
        return try JSONResponse.encode(object, status: .created)
    }

    static func validate(content: String, schema: String) throws {
        do { try StackTemplateEngine.validate(content: content, parametersSchema: schema) } catch { throw apiError(error) }
    }

    static func apiError(_ failure: StackTemplateEngine.Failure) -> APIError {
        switch failure {
        case .invalidTemplate(let message): return APIError(.invalidTemplateSyntax, message)
        case .invalidSchema(let message): return APIError(.invalidParametersSchema, message)
        case .renderFailed(let message): return APIError(.templateRenderFailed, message)
        case .invalidParameters(let violations):
            return APIError(
                .invalidParameters, "Invalid parameters",
                details: [
                    "validation_errors": .array(
                        violations.map { .string($0.instancePath.isEmpty ? $0.message : "\($0.instancePath): \($0.message)") }),
                    "violations": .array(
                        violations.map {
                            .object(["path": .string($0.instancePath), "keyword": .string($0.keyword), "message": .string($0.message)])
                        }),
                ])
        }
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
