/// The stable `code` of every error body, with the HTTP status it is sent with. The contract's table
/// (docs/api-errors.md) lists which operations answer each; the codes after `internalError` are this
/// implementation's additions for input the contract leaves to the framework (bad JSON, bad query
/// parameters, oversized bodies, conflicts the original answered with 500).
public enum ErrorCode: String, Sendable, CaseIterable {
    // 403
    case adminRequired = "admin_required"
    case agentPakMismatch = "agent_pak_mismatch"
    case agentPakRequired = "agent_pak_required"
    case agentNotAssociated = "agent_not_associated"
    case generatorNotAssociated = "generator_not_associated"
    case generatorNotOwned = "generator_not_owned"
    case stackCreateDenied = "stack_create_denied"
    case stackGeneratorMismatch = "stack_generator_mismatch"
    case stackNotOwned = "stack_not_owned"
    case stackNotAccessible = "stack_not_accessible"
    case stacksListDenied = "stacks_list_denied"
    case targetGeneratorMismatch = "target_generator_mismatch"
    case targetCreateDenied = "target_create_denied"
    case templatesNotAccessible = "templates_not_accessible"
    case templateNotAccessible = "template_not_accessible"
    case templateNotOwned = "template_not_owned"
    case diagnosticNotOwned = "diagnostic_not_owned"
    case deliveryNotAcquiredByAgent = "delivery_not_acquired_by_agent"
    case workOrderNotClaimedByAgent = "work_order_not_claimed_by_agent"
    // 401
    case unauthorized
    // 404
    case agentNotFound = "agent_not_found"
    case generatorNotFound = "generator_not_found"
    case stackNotFound = "stack_not_found"
    case templateNotFound = "template_not_found"
    case deploymentObjectNotFound = "deployment_object_not_found"
    case webhookNotFound = "webhook_not_found"
    case deliveryNotFound = "delivery_not_found"
    case workOrderNotFound = "work_order_not_found"
    case workOrderNotClaimable = "work_order_not_claimable"
    case workOrderLogEntryNotFound = "work_order_log_entry_not_found"
    case diagnosticNotFound = "diagnostic_not_found"
    case agentEventNotFound = "agent_event_not_found"
    case agentLabelNotFound = "agent_label_not_found"
    case agentAnnotationNotFound = "agent_annotation_not_found"
    case agentTargetNotFound = "agent_target_not_found"
    case stackLabelNotFound = "stack_label_not_found"
    case stackAnnotationNotFound = "stack_annotation_not_found"
    case templateLabelNotFound = "template_label_not_found"
    case templateAnnotationNotFound = "template_annotation_not_found"
    case notFound = "not_found"
    // 409
    case diagnosticAlreadyClaimed = "diagnostic_already_claimed"
    case diagnosticNotClaimed = "diagnostic_not_claimed"
    case uniqueViolation = "unique_violation"
    // 422
    case foreignKeyViolation = "foreign_key_violation"
    case checkViolation = "check_violation"
    case notNullViolation = "not_null_violation"
    case templateStackMismatch = "template_stack_mismatch"
    // 400
    case nameAndClusterRequired = "name_and_cluster_required"
    case stackIdMismatch = "stack_id_mismatch"
    case invalidLabel = "invalid_label"
    case invalidAnnotation = "invalid_annotation"
    case invalidDeploymentObject = "invalid_deployment_object"
    case invalidParameters = "invalid_parameters"
    case templateRenderFailed = "template_render_failed"
    case invalidTemplateSyntax = "invalid_template_syntax"
    case invalidParametersSchema = "invalid_parameters_schema"
    case urlRequired = "url_required"
    case invalidUrlScheme = "invalid_url_scheme"
    case invalidWebhook = "invalid_webhook"
    case webhookTestFailed = "webhook_test_failed"
    case noTargetingSpecified = "no_targeting_specified"
    case invalidWorkOrder = "invalid_work_order"
    case invalidDiagnosticRequest = "invalid_diagnostic_request"
    case invalidDiagnosticResult = "invalid_diagnostic_result"
    // 500
    case internalError = "internal_error"

    // Additions.
    /// 400: the body is not JSON, not the JSON type the operation takes, or holds text PostgreSQL cannot store.
    case invalidRequestBody = "invalid_request_body"
    /// 422: a field is missing or has the wrong type (the original's extractor answered 422 in plain text).
    case invalidField = "invalid_field"
    /// 400: a path or query parameter is malformed (e.g. not a UUID).
    case invalidParameter = "invalid_parameter"
    /// 400: an agent or generator name, a body id or other field of an agent or generator is invalid.
    case invalidAgent = "invalid_agent"
    case invalidGenerator = "invalid_generator"
    case invalidStack = "invalid_stack"
    case invalidAgentEvent = "invalid_agent_event"
    case invalidHealthReport = "invalid_health_report"
    /// 403: an agent acting for another agent (a body `agent_id` that is not the caller).
    case agentIdMismatch = "agent_id_mismatch"
    /// 409: a work order or delivery claim lost a race, or its claim expired.
    case workOrderAlreadyClaimed = "work_order_already_claimed"
    case deliveryClaimExpired = "delivery_claim_expired"
    /// 413: a body over `broker.max_body_bytes`.
    case payloadTooLarge = "payload_too_large"
    /// 500: configuration reload failed (the file no longer parses).
    case reloadFailed = "reload_failed"

    /// The HTTP status the code is answered with.
    public var statusCode: Int {
        switch self {
        case .unauthorized: return 401
        case .adminRequired, .agentPakMismatch, .agentPakRequired, .agentNotAssociated, .generatorNotAssociated,
            .generatorNotOwned, .stackCreateDenied, .stackGeneratorMismatch, .stackNotOwned, .stackNotAccessible,
            .stacksListDenied, .targetGeneratorMismatch, .targetCreateDenied, .templatesNotAccessible,
            .templateNotAccessible, .templateNotOwned, .diagnosticNotOwned, .deliveryNotAcquiredByAgent,
            .workOrderNotClaimedByAgent, .agentIdMismatch:
            return 403
        case .agentNotFound, .generatorNotFound, .stackNotFound, .templateNotFound, .deploymentObjectNotFound,
            .webhookNotFound, .deliveryNotFound, .workOrderNotFound, .workOrderNotClaimable, .workOrderLogEntryNotFound,
            .diagnosticNotFound, .agentEventNotFound, .agentLabelNotFound, .agentAnnotationNotFound, .agentTargetNotFound,
            .stackLabelNotFound, .stackAnnotationNotFound, .templateLabelNotFound, .templateAnnotationNotFound, .notFound:
            return 404
        case .diagnosticAlreadyClaimed, .diagnosticNotClaimed, .uniqueViolation, .workOrderAlreadyClaimed, .deliveryClaimExpired:
            return 409
        case .foreignKeyViolation, .checkViolation, .notNullViolation, .templateStackMismatch, .invalidField:
            return 422
        case .payloadTooLarge:
            return 413
        case .internalError, .reloadFailed:
            return 500
        default:
            return 400
        }
    }
}
