import BrokkrCommon
import Foundation
import Logging

/// Answers on-demand diagnostics requests: claims each pending request addressed to this
/// agent, collects the deployment object's pod statuses, their recent events and container log
/// tails, and posts them as the result.
public struct DiagnosticsCollector: Sendable {
    let broker: BrokerClient
    let kube: KubeClient
    let agentID: String
    let logger: Logger
    static let logTailLines = 100
    static let maxEvents = 50

    public init(broker: BrokerClient, kube: KubeClient, agentID: String, logger: Logger) {
        self.broker = broker
        self.kube = kube
        self.agentID = agentID
        self.logger = logger
    }

    /// Handles every pending request; returns the ids it completed.
    @discardableResult
    public func runOnce() async throws -> [String] {
        let pending = try await broker.pendingDiagnostics(agentID: agentID)
        var done: [String] = []
        for request in pending {
            let id = request.id.lowercasedString
            let objectID = request.deploymentObjectID.lowercasedString
            guard try await broker.claimDiagnostic(id) else { continue }  // claimed elsewhere or expired
            try await broker.submitDiagnosticResult(id, await collect(deploymentObjectID: objectID))
            done.append(id)
        }
        return done
    }

    func collect(deploymentObjectID: String) async -> SubmitDiagnosticResult {
        var podStatuses: [JSONValue] = []
        var events: [JSONValue] = []
        var logTails: [String: JSONValue] = [:]
        if let pods = try? await WorkloadPods(kube: kube).pods(deploymentObjectID: deploymentObjectID) {
            for pod in pods {
                let name = pod["metadata"]?["name"]?.stringValue ?? ""
                let namespace = pod["metadata"]?["namespace"]?.stringValue ?? "default"
                podStatuses.append(
                    .object([
                        "name": .string(name), "namespace": .string(namespace), "phase": pod["status"]?["phase"] ?? .null,
                        "conditions": pod["status"]?["conditions"] ?? .array([]),
                        "containers": pod["status"]?["containerStatuses"] ?? .array([]),
                    ]))
                for container in pod["spec"]?["containers"]?.arrayValue ?? [] {
                    guard let c = container["name"]?.stringValue,
                        let text = try? await kube.text(
                            "/api/v1/namespaces/\(namespace)/pods/\(name)/log?container=\(c)&tailLines=\(Self.logTailLines)")
                    else { continue }
                    logTails["\(name)/\(c)"] = .array(text.split(separator: "\n", omittingEmptySubsequences: false).map { .string(String($0)) })
                }
                let podEvents =
                    (try? await kube.json("/api/v1/namespaces/\(namespace)/events?fieldSelector=involvedObject.name%3D\(name)"))?["items"]?.arrayValue
                    ?? []
                events += podEvents.map {
                    .object([
                        "pod": .string(name), "type": $0["type"] ?? .null, "reason": $0["reason"] ?? .null, "message": $0["message"] ?? .null,
                        "last_timestamp": $0["lastTimestamp"] ?? $0["eventTime"] ?? .null,
                    ])
                }
            }
        }
        return SubmitDiagnosticResult(
            podStatuses: JSONValue.array(podStatuses).serialized(),
            events: JSONValue.array(Array(events.suffix(Self.maxEvents))).serialized(),
            collectedAt: Date(), logTails: JSONValue.object(logTails).serialized())
    }
}
