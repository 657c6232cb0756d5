import BrokkrCommon
import Foundation
import Logging

/// Runs work orders addressed to this agent (see README, section "The agent"): claims each pending
/// order, applies its YAML (namespaces and CRDs first), waits for the Jobs and Shipwright BuildRuns it
/// declares to finish (up to the order's claim timeout), and completes the order with the outcome.
/// Errors the API server calls permanent (invalid objects, forbidden) are reported as not retryable.
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
        let pending = try await broker.pendingWorkOrders(agentID: agentID)
        var outcomes: [Outcome] = []
        for order in pending {
            let id = order.id.lowercasedString
            guard let me = UUID(uuidString: agentID),
                try await broker.claimWorkOrder(id, agentID: me)
            else { continue }
            let timeout = Duration.seconds(Int64(order.claimTimeoutSeconds))
            var result: (success: Bool, message: String?, retryable: Bool)
            do {
                let yaml = order.yamlContent
                let message: String?
                switch order.workType {
                case "custom": message = try await execute(yaml: yaml, workOrderID: id, timeout: timeout)
                case "build": message = try await build(yaml: yaml, workOrderID: id, timeout: timeout)
                case let other: throw WorkOrderFailed(description: "Unknown work type: \(other)")
                }
                result = (true, message, true)
            } catch {
                result = (false, "\(error)", Self.isRetryable("\(error)"))
            }
            let completion = CompleteWorkOrderRequest(success: result.success, message: result.message, retryable: result.retryable)
            do {
                try await broker.completeWorkOrder(id, completion)
            } catch let refused as BrokerClient.BrokerError {
                logger.warning("Completing work order \(id) refused: \(refused)")
            }
            outcomes.append(Outcome(workOrderID: id, success: result.success, message: result.message))
        }
        return outcomes
    }

    /// Whether a failure may be retried, judged by its error text: permanent-looking errors (not found,
    /// forbidden, invalid, conflict, …) are not, transient ones (timeout, unavailable, connection, …) are;
    /// unknown ones are not.
    static func isRetryable(_ text: String) -> Bool {
        let t = text.lowercased()
        if ["notfound", "not found", "forbidden", "unauthorized", "badrequest", "bad request", "invalid", "unprocessable", "conflict"]
            .contains(where: t.contains)
        {
            return false
        }
        return ["timeout", "timed out", "unavailable", "connection", "network", "internal", "too many requests", "throttl"].contains(
            where: t.contains)
    }

    /// `build`: applies the Shipwright Builds, starts a BuildRun `{build}-{first 8 of the order id}` and
    /// waits for it; the result is the output image digest.
    func build(yaml: String, workOrderID: String, timeout: Duration) async throws -> String? {
        var buildName: String?
        var namespace = "default"
        var apiVersion = "shipwright.io/v1beta1"
        for document in try YAMLDocuments.parse(yaml) {
            let version = document["apiVersion"]?.stringValue ?? ""
            if version.hasPrefix("shipwright.io"), document["kind"]?.stringValue == "Build" {
                buildName = document["metadata"]?["name"]?.stringValue
                namespace = document["metadata"]?["namespace"]?.stringValue ?? "default"
                apiVersion = version
                try await kube.apply(document, fieldManager: "brokkr-agent", force: true)
            } else if version.hasPrefix("brokkr.io"), document["kind"]?.stringValue == "WorkOrder", buildName == nil {
                buildName = document["spec"]?["buildRef"]?["name"]?.stringValue
            }
        }
        guard let buildName else { throw WorkOrderFailed(description: "No Build resource or buildRef found in YAML content") }
        do { _ = try await kube.resource(apiVersion: apiVersion, kind: "BuildRun") } catch {
            throw WorkOrderFailed(description: "Shipwright BuildRun CRD not found in cluster")
        }
        let runName = "\(buildName)-\(workOrderID.prefix(8))"
        let buildRun = JSONValue.object([
            "apiVersion": .string(apiVersion), "kind": .string("BuildRun"),
            "metadata": .object([
                "name": .string(runName), "namespace": .string(namespace),
                "labels": .object(["brokkr.io/work-order-id": .string(workOrderID), "shipwright.io/build": .string(buildName)]),
            ]),
            "spec": .object(["build": .object(["name": .string(buildName)])]),
        ])
        try await kube.apply(buildRun, fieldManager: "brokkr-agent", force: true)
        return try await waitFor([buildRun], timeout: timeout)
    }

    /// `custom`: applies the objects (namespaces and CRDs first) and waits for the Jobs it declares.
    func execute(yaml: String, workOrderID: String, timeout: Duration) async throws -> String? {
        let objects = try YAMLDocuments.parse(yaml)
        guard !objects.isEmpty else { throw WorkOrderFailed(description: "No valid Kubernetes objects found in YAML") }
        let ordered =
            objects.filter { Reconciler.priorityKinds.contains($0["kind"]?.stringValue ?? "") }
            + objects.filter { !Reconciler.priorityKinds.contains($0["kind"]?.stringValue ?? "") }
        for object in ordered {
            try await kube.apply(object, fieldManager: "brokkr-workorder", force: true)
            if object["kind"]?.stringValue == "CustomResourceDefinition" { try await kube.refreshDiscovery() }
        }
        _ = try await waitFor(ordered.filter { ["Job", "BuildRun"].contains($0["kind"]?.stringValue ?? "") }, timeout: timeout)
        return "Successfully applied \(ordered.count) resource(s)"
    }

    /// Waits until every Job / BuildRun has finished; returns the last BuildRun digest.
    func waitFor(_ objects: [JSONValue], timeout: Duration) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        var message: String?
        for object in objects {
            while true {
                let current = try await kube.get(object) ?? .null
                if let done = Self.finished(current) {
                    guard done.success else { throw WorkOrderFailed(description: done.message ?? "\(object["kind"]?.stringValue ?? "") failed") }
                    message = done.message ?? message
                    break
                }
                guard ContinuousClock.now < deadline else {
                    throw WorkOrderFailed(description: "timed out waiting for \(object["metadata"]?["name"]?.stringValue ?? "")")
                }
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
                let status = succeeded["status"]?.stringValue, status != "Unknown"
            else { return nil }
            if status == "True" { return (true, object["status"]?["output"]?["digest"]?.stringValue) }
            if let details = object["status"]?["failureDetails"], details != .null {
                return (false, "\(details["reason"]?.stringValue ?? "Unknown"): \(details["message"]?.stringValue ?? "No message")")
            }
            return (false, succeeded["message"]?.stringValue ?? "Build failed")
        }
        if condition("Complete") != nil { return (true, nil) }
        if let failed = condition("Failed") { return (false, failed["message"]?.stringValue ?? "Job failed") }
        return nil
    }
}
