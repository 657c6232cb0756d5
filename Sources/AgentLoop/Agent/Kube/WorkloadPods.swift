import BrokkrCommon

/// Finds a deployment object's pods the way Kubernetes tools do: the object's workloads (found by the
/// `brokkr.io/deployment-object-id` label on their own metadata) select their pods with their own
/// `spec.selector`; bare pods of the object carry the label themselves. The agent never labels pod
/// templates, so pods keep their template across deployment objects and nothing rolls needlessly.
public struct WorkloadPods: Sendable {
    /// Kinds whose pods come from `spec.template` and are chosen by `spec.selector`.
    static let workloadKinds: [(apiVersion: String, kind: String)] = [
        ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("apps/v1", "DaemonSet"), ("apps/v1", "ReplicaSet"), ("batch/v1", "Job"),
    ]

    let kube: KubeClient

    public init(kube: KubeClient) { self.kube = kube }

    /// The pods, each once, sorted by namespace and name.
    public func pods(deploymentObjectID: String) async throws -> [JSONValue] {
        let podResource = try await kube.resource(apiVersion: "v1", kind: "Pod")
        let byObject = "\(OwnershipStamp.objectLabel)=\(deploymentObjectID)"
        var found: [String: JSONValue] = [:]
        func add(_ pod: JSONValue) {
            let key = "\(pod["metadata"]?["namespace"]?.stringValue ?? "")/\(pod["metadata"]?["name"]?.stringValue ?? "")"
            found[key] = pod
        }
        for pod in try await kube.list(podResource, labelSelector: byObject) { add(pod) }
        for (apiVersion, kind) in Self.workloadKinds {
            guard let resource = try? await kube.resource(apiVersion: apiVersion, kind: kind) else { continue }
            for workload in try await kube.list(resource, labelSelector: byObject) {
                guard let selector = Self.selectorString(workload["spec"]?["selector"]) else { continue }
                let namespace = workload["metadata"]?["namespace"]?.stringValue
                for pod in try await kube.list(podResource, namespace: namespace, labelSelector: selector) { add(pod) }
            }
        }
        return found.keys.sorted().compactMap { found[$0] }
    }

    /// A `metav1.LabelSelector` as a label-selector query (`app=web,tier in (a,b),!legacy`); nil for a
    /// missing or empty selector, which would select every pod.
    static func selectorString(_ selector: JSONValue?) -> String? {
        var parts: [String] = []
        for (key, value) in (selector?["matchLabels"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            parts.append("\(key)=\(value.stringValue ?? "")")
        }
        for expression in selector?["matchExpressions"]?.arrayValue ?? [] {
            guard let key = expression["key"]?.stringValue else { continue }
            let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")
            switch expression["operator"]?.stringValue {
            case "In": parts.append("\(key) in (\(values))")
            case "NotIn": parts.append("\(key) notin (\(values))")
            case "Exists": parts.append(key)
            case "DoesNotExist": parts.append("!\(key)")
            default: continue
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: ",")
    }
}
