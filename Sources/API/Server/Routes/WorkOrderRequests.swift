import BrokkrCommon
import Foundation

/// `CreateWorkOrderRequest` → a validated new order (model rules of spec 07 §2.22, targeting of
/// spec 05 §2.3: `targeting.agent_ids` plus the deprecated `target_agent_ids`).
enum WorkOrderRequests {
    static func newOrder(_ body: RequestBody) throws -> WorkOrderStore.NewOrder {
        let workType = try body.requiredString("work_type"), yaml = try body.requiredString("yaml_content")
        let targeting = try body.optionalObject("targeting")
        let agentIDs = (try targeting?.optionalUUIDArray("agent_ids") ?? []) + (try body.optionalUUIDArray("target_agent_ids") ?? [])
        let labels = try targeting?.optionalStringArray("labels") ?? []
        let annotations = try targeting?.optionalStringMap("annotations") ?? []
        if agentIDs.isEmpty && labels.isEmpty && annotations.isEmpty {
            throw APIError(.noTargetingSpecified, "At least one targeting method must be specified (agent_ids, labels, or annotations)")
        }
        let order = WorkOrderStore.NewOrder(
            workType: workType, yamlContent: yaml,
            maxRetries: try body.optionalInt("max_retries") ?? 3,
            backoffSeconds: try body.optionalInt("backoff_seconds") ?? 60,
            claimTimeoutSeconds: try body.optionalInt("claim_timeout_seconds") ?? 3600,
            agentIDs: agentIDs, labels: labels, annotations: annotations)
        if let problem = problem(order) { throw APIError(.invalidWorkOrder, problem) }
        return order
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
