import BrokkrCommon
import Foundation

/// Classifies the pods of a deployment object (found by `WorkloadPods`): `failing` when a pod has failed,
/// `degraded` when a container is stuck (image pulls, crash loops, OOM kills, config errors) or a pod
/// cannot be scheduled, `healthy` when every pod is ready, `unknown` with no pods. Unlike the original,
/// a failing pod is never masked by a degraded one found later, and not-ready pods are not healthy.
public struct HealthChecker: Sendable {
    static let degradedReasons: Set<String> = [
        "ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff", "CreateContainerConfigError",
        "InvalidImageName", "RunContainerError", "ContainerCannotRun",
    ]
    static let terminatedReasons: Set<String> = ["OOMKilled", "Error"]

    let kube: KubeClient

    public init(kube: KubeClient) { self.kube = kube }

    /// One report entry for `PATCH /agents/{id}/health-status`.
    public func check(deploymentObjectID: UUID) async -> DeploymentObjectHealthUpdate {
        let checkedAt = Date()
        let pods: [JSONValue]
        do {
            pods = try await WorkloadPods(kube: kube).pods(deploymentObjectID: deploymentObjectID.lowercasedString)
        } catch {
            return Self.entry(deploymentObjectID, "unknown", ready: 0, total: 0, conditions: [], resources: [], checkedAt: checkedAt)
        }
        return Self.classify(deploymentObjectID, pods: pods, checkedAt: checkedAt)
    }

    static func classify(_ id: UUID, pods: [JSONValue], checkedAt: Date) -> DeploymentObjectHealthUpdate {
        var conditions: [String] = []
        var resources: [ResourceHealth] = []
        var failing = false
        var degraded = false
        var unknownPhase = false
        var ready = 0
        func note(_ reason: String) { if !conditions.contains(reason) { conditions.append(reason) } }
        for pod in pods {
            let status = pod["status"]
            let name = pod["metadata"]?["name"]?.stringValue ?? ""
            let namespace = pod["metadata"]?["namespace"]?.stringValue ?? ""
            if status?["conditions"]?.arrayValue?.contains(where: { $0["type"] == .string("Ready") && $0["status"] == .string("True") }) == true {
                ready += 1
            }
            for container in status?["containerStatuses"]?.arrayValue ?? [] {
                if let reason = container["state"]?["waiting"]?["reason"]?.stringValue, degradedReasons.contains(reason) {
                    note(reason)
                    degraded = true
                    resources.append(
                        ResourceHealth(
                            kind: "Pod", name: name, namespace: namespace, ready: false,
                            message: container["state"]?["waiting"]?["message"]?.stringValue))
                }
                if let reason = container["state"]?["terminated"]?["reason"]?.stringValue, terminatedReasons.contains(reason) {
                    note(reason)
                    degraded = true
                }
                if container["lastState"]?["terminated"]?["reason"]?.stringValue == "OOMKilled" {
                    note("OOMKilled")
                    degraded = true
                }
            }
            for container in status?["initContainerStatuses"]?.arrayValue ?? [] {
                if let reason = container["state"]?["waiting"]?["reason"]?.stringValue, degradedReasons.contains(reason) {
                    note("InitContainer:\(reason)")
                    degraded = true
                }
            }
            switch status?["phase"]?.stringValue {
            case "Failed":
                failing = true
                note("PodFailed")
            case "Unknown": unknownPhase = true
            case "Pending":
                if status?["conditions"]?.arrayValue?.contains(where: { $0["type"] == .string("PodScheduled") && $0["status"] == .string("False") })
                    == true
                {
                    note("Unschedulable")
                    degraded = true
                }
            default: break
            }
        }
        let overall: String
        if pods.isEmpty {
            overall = "unknown"
        } else if failing {
            overall = "failing"
        } else if degraded {
            overall = "degraded"
        } else if unknownPhase {
            overall = "unknown"
        } else if ready < pods.count {
            overall = "degraded"
            note("NotReady")
        } else {
            overall = "healthy"
        }
        return entry(id, overall, ready: ready, total: pods.count, conditions: conditions, resources: resources, checkedAt: checkedAt)
    }

    static func entry(
        _ id: UUID, _ status: String, ready: Int, total: Int, conditions: [String], resources: [ResourceHealth],
        checkedAt: Date
    ) -> DeploymentObjectHealthUpdate {
        DeploymentObjectHealthUpdate(
            id: id, status: status, checkedAt: checkedAt,
            summary: HealthSummary(
                podsReady: ready, podsTotal: total, conditions: conditions, resources: resources.isEmpty ? nil : resources))
    }
}
