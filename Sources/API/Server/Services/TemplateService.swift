import BrokkrCommon
import BrokkrQueue
import BrokkrTemplating
import Foundation

/// Every change to a template (each edit is a new version), with its audit entries.
struct TemplateService {
    let s: BrokerServices

    static let notFound = APIError(.templateNotFound, "Template not found")

    func create(
        generatorID: UUID?, name: String, description: String?, content: String, schema: String, by actor: ChangeActor
    ) async throws -> StackTemplate {
        try Self.validate(content: content, schema: schema)
        return try await s.change(by: actor) { change in
            let template = try await TemplateStore(sql: change.tx).createNextVersion(
                generatorID: generatorID, name: name, description: description, content: content, schema: schema)
            try await change.audit(
                "template.created", "template", template.id,
                details: .object(["name": .string(name), "version": .int(Int64(template.version))]))
            return template
        }
    }

    /// The next version of `current`, carrying its labels and annotations.
    func update(_ current: StackTemplate, description: String?, content: String, schema: String, by actor: ChangeActor) async throws
        -> StackTemplate
    {
        try Self.validate(content: content, schema: schema)
        return try await s.change(by: actor) { change in
            let store = TemplateStore(sql: change.tx)
            let next = try await store.createNextVersion(
                generatorID: current.generatorID, name: current.name, description: description, content: content, schema: schema)
            try await store.copyTags(from: current.id, to: next.id)
            try await change.audit(
                "template.updated", "template", next.id,
                details: .object(["name": .string(current.name), "version": .int(Int64(next.version))]))
            return next
        }
    }

    func delete(_ id: UUID, by actor: ChangeActor) async throws {
        try await s.change(by: actor) { change in
            guard try await TemplateStore(sql: change.tx).softDelete(id) else { throw Self.notFound }
            try await change.audit("template.deleted", "template", id)
        }
    }

    /// Renders `template` for `stack` and adds the result as the stack's next deployment object, in the
    /// original's order: label match (422), parameters (422), render (400), then the object and its
    /// provenance in one transaction.
    func instantiate(_ template: StackTemplate, into stack: Stack, parameters: JSONValue, by actor: ChangeActor) async throws -> DeploymentObject {
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
            throw Self.apiError(error)
        }
        if yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw APIError(.invalidDeploymentObject, "Template rendered to empty YAML content")
        }
        if let problem = YAMLDocuments.problem(in: yaml) {
            throw APIError(.invalidDeploymentObject, "Rendered template is not valid YAML: \(problem)")
        }
        return try await StackService(s: s).addObject(
            to: stack.id, yaml: yaml, isDeletionMarker: false, rendering: (template, parameters), by: actor)
    }

    /// Checks a template before it is stored: the content parses, the schema compiles.
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
}
