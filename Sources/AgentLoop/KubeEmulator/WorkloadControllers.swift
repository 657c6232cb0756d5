import BrokkrCommon
import Foundation

/// Controllers that keep pods for ReplicaSets, StatefulSets and DaemonSets, and compute their status.
extension KubeCluster {
    /// Reconciles the queued workloads (`WorkloadQueue`); whether anything changed.
    func reconcileWorkloads() -> Bool {
        var changed = false
        for ref in takeQueuedWorkloads() {
            guard let w = objects[ref.storageKey]?[ref.key], w["metadata"]?["deletionTimestamp"] == nil, w["spec"]?["template"]?.isObject == true,
                !KubeCluster.skipsControllers(w)
            else { continue }
            let acted = ref.storageKey == "apps/deployments" ? reconcileDeployment(ref.key, w) : reconcileWorkload(ref.storageKey, ref.key, w)
            if acted { changed = true }
        }
        return changed
    }

    func reconcileWorkload(_ storageKey: String, _ key: KubeObjectKey, _ w: JSONValue) -> Bool {
        var changed = false
        let kind = w["kind"]?.stringValue ?? ""
        let name = key.name
        let template = w["spec"]?["template"] ?? .object([:])
        let hash = KubeCluster.templateHash(template)
        let desired: Int
        if kind == "DaemonSet" {
            desired = (objects["/nodes"] ?? [:]).count
        } else {
            desired = Int(w["spec"]?["replicas"]?.intValue ?? 1)
        }
        let hashLabel: String? =
            switch kind {
            case "StatefulSet", "DaemonSet": "controller-revision-hash"
            default: nil
            }
        let hashValue = kind == "StatefulSet" ? "\(name)-\(hash)" : hash
        var pods = ownedPods(w)
        // Pods of an older template go (a rolling update collapsed into one step).
        if let hashLabel {
            for (pk, p) in pods where p["metadata"]?["labels"]?[hashLabel]?.stringValue != hashValue {
                _ = deleteObject(preferredType(storageKey: "/pods")!, pk, policy: "Background")
                changed = true
            }
            pods = ownedPods(w)
        }
        if pods.count > desired {
            let extra =
                kind == "StatefulSet"
                ? pods.sorted { ordinal($0.0.name) > ordinal($1.0.name) }.prefix(pods.count - desired)
                : pods.reversed().prefix(pods.count - desired)
            for (pk, _) in extra { _ = deleteObject(preferredType(storageKey: "/pods")!, pk, policy: "Background") }
            changed = true
            pods = ownedPods(w)
        }
        if pods.count < desired {
            var existingOrdinals = Set(pods.map { ordinal($0.0.name) })
            for _ in pods.count..<desired {
                var labels = template["metadata"]?["labels"]?.objectValue ?? [:]
                if let hashLabel { labels[hashLabel] = .string(hashValue) }
                let podName: String
                switch kind {
                case "StatefulSet":
                    var i = 0
                    while existingOrdinals.contains(i) { i += 1 }
                    existingOrdinals.insert(i)
                    podName = "\(name)-\(i)"
                    labels["statefulset.kubernetes.io/pod-name"] = .string(podName)
                    labels["apps.kubernetes.io/pod-index"] = .string(String(i))
                default: podName = "\(name)-\(randomSuffix())"
                }
                var spec = template["spec"] ?? .object([:])
                if kind == "StatefulSet" {
                    spec["hostname"] = .string(podName)
                    if let svc = w["spec"]?["serviceName"] { spec["subdomain"] = svc }
                }
                var meta: [String: JSONValue] = [
                    "name": .string(podName), "namespace": .string(key.namespace), "labels": .object(labels),
                    "ownerReferences": [KubeCluster.ownerRef(w)],
                ]
                if kind == "ReplicaSet" { meta["generateName"] = .string("\(name)-") }
                if let ann = template["metadata"]?["annotations"] { meta["annotations"] = ann }
                systemCreate(["apiVersion": "v1", "kind": "Pod", "metadata": .object(meta), "spec": spec])
                if options.generateEvents {
                    _ = emitEvent(
                        namespace: key.namespace, kind: kind, name: name, apiVersion: "apps/v1", uid: w["metadata"]?["uid"]?.stringValue,
                        reason: "SuccessfulCreate", message: "Created pod: \(podName)", type: "Normal", component: "\(kind.lowercased())-controller")
                }
            }
            changed = true
            pods = ownedPods(w)
        }
        let total = Int64(pods.count)
        let ready = Int64(pods.filter { KubeCluster.isReady($0.1) }.count)
        let updated = Int64(pods.filter { hashLabel == nil || $0.1["metadata"]?["labels"]?[hashLabel!]?.stringValue == hashValue }.count)
        let generation = w["metadata"]?["generation"] ?? 1
        var status: [String: JSONValue] = ["observedGeneration": generation]
        switch kind {
        case "ReplicaSet":
            status["replicas"] = .int(total)
            status["fullyLabeledReplicas"] = .int(total)
            if ready > 0 {
                status["readyReplicas"] = .int(ready)
                status["availableReplicas"] = .int(ready)
            }
        case "StatefulSet":
            status["replicas"] = .int(total)
            status["currentReplicas"] = .int(updated)
            status["updatedReplicas"] = .int(updated)
            status["readyReplicas"] = .int(ready)
            status["availableReplicas"] = .int(ready)
            status["currentRevision"] = .string(hashValue)
            status["updateRevision"] = .string(hashValue)
            status["collisionCount"] = 0
        case "DaemonSet":
            status["currentNumberScheduled"] = .int(total)
            status["desiredNumberScheduled"] = .int(Int64(desired))
            status["numberMisscheduled"] = 0
            status["numberReady"] = .int(ready)
            status["numberAvailable"] = .int(ready)
            status["updatedNumberScheduled"] = .int(updated)
            if Int64(desired) - ready > 0 { status["numberUnavailable"] = .int(Int64(desired) - ready) }
        default:
            break
        }
        if writeStatus(storageKey, key, .object(status)) { changed = true }
        return changed
    }

    func ordinal(_ podName: String) -> Int {
        Int(podName.split(separator: "-").last ?? "") ?? -1
    }

    /// A condition that keeps its old timestamps when its status and reason are unchanged.
    func condition(_ oldStatus: JSONValue?, type: String, status: String, reason: String, message: String) -> JSONValue {
        let now = nowString()
        if let old = (oldStatus?["conditions"]?.arrayValue ?? []).first(where: { $0["type"]?.stringValue == type }),
            old["status"]?.stringValue == status, old["reason"]?.stringValue == reason, old["message"]?.stringValue == message
        {
            return old
        }
        return [
            "type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
            "lastUpdateTime": .string(now), "lastTransitionTime": .string(now),
        ]
    }
}
