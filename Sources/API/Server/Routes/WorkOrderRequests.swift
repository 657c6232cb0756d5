import BrokkrCommon
import BrokkrQueue
import Foundation

/// `CreateWorkOrderRequest` → a validated new order: a non-blank work type and YAML, bounded retry and
/// timeout values, valid labels and annotations, and at least one target, where the agent ids are
/// `targeting.agent_ids` plus the deprecated `target_agent_ids`.
extension CreateWorkOrderRequest: ValidatedRequest {
    public func validate() throws {
        let order = WorkOrderRequests.newOrder(self)
        if order.agentIDs.isEmpty && order.labels.isEmpty && order.annotations.isEmpty {
            throw APIError(.noTargetingSpecified, "At least one targeting method must be specified (agent_ids, labels, or annotations)")
        }
        if let problem = WorkOrderRequests.problem(order) { throw APIError(.invalidWorkOrder, problem) }
    }
}

enum WorkOrderRequests {
    static func newOrder(_ request: CreateWorkOrderRequest) -> WorkOrderStore.NewOrder {
        WorkOrderStore.NewOrder(
            workType: request.workType, yamlContent: request.yamlContent,
            maxRetries: request.maxRetries ?? 3,
            backoffSeconds: request.backoffSeconds ?? 60,
            claimTimeoutSeconds: request.claimTimeoutSeconds ?? 3600,
            agentIDs: (request.targeting?.agentIDs ?? []) + (request.targetAgentIDs ?? []),
            labels: request.targeting?.labels ?? [],
            annotations: (request.targeting?.annotations ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    static func problem(_ o: WorkOrderStore.NewOrder) -> String? {
        if o.workType.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "Work type cannot be empty" }
        if o.yamlContent.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "YAML content cannot be empty" }
        // Upper bounds keep the values inside PostgreSQL's INTEGER columns and interval arithmetic.
        if !(0...1_000_000).contains(o.maxRetries) { return "max_retries must be between 0 and 1000000" }
        if !(1...31_536_000).contains(o.backoffSeconds) { return "backoff_seconds must be between 1 and 31536000 (a year)" }
        if !(1...31_536_000).contains(o.claimTimeoutSeconds) { return "claim_timeout_seconds must be between 1 and 31536000 (a year)" }
        if let problem = o.labels.lazy.compactMap(FieldRules.label).first { return problem }
        return o.annotations.lazy.compactMap { FieldRules.annotation(key: $0.0, value: $0.1) }.first
    }
}
