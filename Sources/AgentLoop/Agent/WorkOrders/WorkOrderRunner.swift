import BrokkrCommon
import Foundation
import Logging

/// Runs work orders addressed to this agent (spec/06 §10): claims each pending order, applies its
/// YAML (namespaces and CRDs first), waits for the Jobs and Shipwright BuildRuns it declares to
/// finish (up to the order's claim timeout), and completes the order with the outcome. Errors the
/// API server calls permanent (invalid objects, forbidden) are reported as not retryable.
public struct WorkOrderRunner: Sendable {
    let broker: BrokerClient
    let kube: KubeClient
    let agentID: String
    let logger: Logger
    let pollInterval: Duration

    public init(broker: BrokerClient, kube: KubeClient, agentID: String, logger: Logger, pollInterval: Duration = .seconds(2)) {
        self.broker = broker
        self.kube = kube
        self.agentID = agentID
        self.logger = logger
        self.pollInterval = pollInterval
    }

    public struct Outcome: Sendable, Equatable {
        public let workOrderID: String
        public let success: Bool
        public let message: String?
    }

    @discardableResult
    public func runOnce() async throws -> [Outcome] {
        let (status, body) = try await broker.request(.GET, "/agents/\(agentID)/work-orders/pending")
        guard status == 200 else { throw BrokerClient.BrokerError(status: status, body: body) }
        var outcomes: [Outcome] = []
        for order in try JSONValue.parse(body).arrayValue ?? [] {
            guard let id = order["id"]?.stringValue else { continue }
            let claim = JSONValue.object(["agent_id": .string(agentID)]).serialized()
            guard try await broker.request(.POST, "/work-orders/\(id)/claim", json: claim).0 == 200 else { continue }
            let timeout = Duration.seconds(Int64(order["claim_timeout_seconds"]?.numberValue ?? 3600))
            var result: (success: Bool, message: String?, retryable: Bool)
            do {
                result = (true, try await execute(yaml: order["yaml_content"]?.stringValue ?? "", workOrderID: id, timeout: timeout), true)
            } catch let failure as KubeClient.Failure {
                result = (false, "\(failure)", ![400, 403, 404, 409, 422].contains(failure.status))
            } catch {
                result = (false, "\(error)", true)
            }
            let completion = JSONValue.object([
                "success": .bool(result.success), "message": result.message.map(JSONValue.string) ?? .null, "retryable": .bool(result.retryable),
            ]).serialized()
            let (completeStatus, completeBody) = try await broker.request(.POST, "/work-orders/\(id)/complete", json: completion)
            if completeStatus != 200 { logger.warning("Completing work order \(id) refused: \(completeStatus) \(completeBody)") }
            outcomes.append(Outcome(workOrderID: id, success: result.success, message: result.message))
        }
        return outcomes
    }

    /// Applies the objects and waits for what can finish; returns the result message (a BuildRun's image digest).
    func execute(yaml: String, workOrderID: String, timeout: Duration) async throws -> String? {
        let objects = try YAMLDocuments.parse(yaml)
        let ordered = objects.filter { Reconciler.priorityKinds.contains($0["kind"]?.stringValue ?? "") }
            + objects.filter { !Reconciler.priorityKinds.contains($0["kind"]?.stringValue ?? "") }
        for object in ordered {
            try await kube.apply(object, fieldManager: "brokkr-workorder", force: true)
            if object["kind"]?.stringValue == "CustomResourceDefinition" { try await kube.refreshDiscovery() }
        }
        let waitFor = ordered.filter { ["Job", "BuildRun"].contains($0["kind"]?.stringValue ?? "") }
        let deadline = ContinuousClock.now + timeout
        var message: String?
        for object in waitFor {
            while true {
                let current = try await kube.get(object) ?? .null
                if let done = Self.finished(current) {
                    guard done.success else { throw WorkOrderFailed(description: done.message ?? "\(object["kind"]?.stringValue ?? "") failed") }
                    message = done.message ?? message
                    break
                }
                guard ContinuousClock.now < deadline else { throw WorkOrderFailed(description: "timed out waiting for \(object["metadata"]?["name"]?.stringValue ?? "")") }
                try await Task.sleep(for: pollInterval)
            }
        }
        return message
    }

    struct WorkOrderFailed: Error, CustomStringConvertible { let description: String }

    /// Whether a Job or BuildRun has finished: Job conditions Complete/Failed, BuildRun Succeeded
    /// True/False (with the output image digest as the message on success).
    static func finished(_ object: JSONValue) -> (success: Bool, message: String?)? {
        let conditions = object["status"]?["conditions"]?.arrayValue ?? []
        func condition(_ type: String) -> JSONValue? { conditions.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" } }
        if object["kind"]?.stringValue == "BuildRun" {
            guard let succeeded = conditions.first(where: { $0["type"]?.stringValue == "Succeeded" }),
                  let status = succeeded["status"]?.stringValue, status != "Unknown" else { return nil }
            return status == "True"
                ? (true, object["status"]?["output"]?["digest"]?.stringValue)
                : (false, succeeded["message"]?.stringValue)
        }
        if condition("Complete") != nil { return (true, nil) }
        if let failed = condition("Failed") { return (false, failed["message"]?.stringValue ?? "Job failed") }
        return nil
    }
}
