import BrokkrCommon
import Foundation

/// The Deployment controller: one ReplicaSet per pod template, named `{deployment}-{pod-template-hash}`
/// and labelled with the hash, as on a real cluster. A template change creates (or, for a template seen
/// before, reuses) a ReplicaSet and scales the others to 0 — a rolling update collapsed into one step —
/// so a rollout is visible as a new ReplicaSet and a bumped `deployment.kubernetes.io/revision`.
extension KubeCluster {
    static let podTemplateHashLabel = "pod-template-hash"
    static let revisionAnnotation = "deployment.kubernetes.io/revision"

    func reconcileDeployment(_ key: KubeObjectKey, _ d: JSONValue) -> Bool {
        var changed = false
        let name = key.name
        let template = d["spec"]?["template"] ?? .object([:])
        let desired = Int64(d["spec"]?["replicas"]?.intValue ?? 1)
        let sets = ownedReplicaSets(d)
        let maxRevision = sets.map { KubeCluster.revision($0.1) }.max() ?? 0
        var current = sets.first { jsonEqual(KubeCluster.withoutHash($0.1["spec"]?["template"]), template) }

        if current == nil {
            let hash = KubeCluster.templateHash(template)
            var rsTemplate = template
            rsTemplate.setValue(.string(hash), at: ["metadata", "labels", KubeCluster.podTemplateHashLabel])
            var selector = d["spec"]?["selector"] ?? .object([:])
            selector.setValue(.string(hash), at: ["matchLabels", KubeCluster.podTemplateHashLabel])
            var spec: [String: JSONValue] = ["replicas": .int(desired), "selector": selector, "template": rsTemplate]
            if let m = d["spec"]?["minReadySeconds"] { spec["minReadySeconds"] = m }
            let rs: JSONValue = [
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": [
                    "name": .string("\(name)-\(hash)"), "namespace": .string(key.namespace),
                    "labels": rsTemplate["metadata"]?["labels"] ?? .object([:]),
                    "annotations": [
                        KubeCluster.revisionAnnotation: .string(String(maxRevision + 1)),
                        "deployment.kubernetes.io/desired-replicas": .string(String(desired)),
                        "deployment.kubernetes.io/max-replicas": .string(String(desired + max(1, (desired + 3) / 4))),
                    ],
                    "ownerReferences": [KubeCluster.ownerRef(d)],
                ],
                "spec": .object(spec),
            ]
            if let created = systemCreate(rs) {
                current = (KubeCluster.key(of: created), created)
                scalingEvent(d, "Scaled up replica set \(name)-\(hash) from 0 to \(desired)")
                changed = true
            }
        } else if let existing = current {
            let (rsKey, rs) = existing
            let scale = Int64(rs["spec"]?["replicas"]?.intValue ?? 0)
            let revision = KubeCluster.revision(rs)
            if controllerUpdate(
                "apps/replicasets", rsKey,
                { o in
                    o.setValue(.int(desired), at: ["spec", "replicas"])
                    // A template seen before becomes the newest revision again (a rollback).
                    if revision < maxRevision {
                        o.setValue(.string(String(maxRevision + 1)), at: ["metadata", "annotations", KubeCluster.revisionAnnotation])
                    }
                })
            {
                if scale != desired {
                    scalingEvent(d, "Scaled \(scale < desired ? "up" : "down") replica set \(rsKey.name) from \(scale) to \(desired)")
                }
                changed = true
            }
        }

        for (rsKey, rs) in sets where rsKey != current?.0 {
            let scale = rs["spec"]?["replicas"]?.intValue ?? 0
            guard scale != 0 else { continue }
            controllerUpdate("apps/replicasets", rsKey) { $0.setValue(.int(0), at: ["spec", "replicas"]) }
            scalingEvent(d, "Scaled down replica set \(rsKey.name) from \(scale) to 0")
            changed = true
        }
        if pruneOldReplicaSets(d, keeping: current?.0) { changed = true }
        if let current, let revision = objects["apps/replicasets"]?[current.0].map(KubeCluster.revision),
            d["metadata"]?["annotations"]?[KubeCluster.revisionAnnotation]?.stringValue != String(revision)
        {
            controllerUpdate("apps/deployments", key) {
                $0.setValue(.string(String(revision)), at: ["metadata", "annotations", KubeCluster.revisionAnnotation])
            }
            changed = true
        }
        if let d = objects["apps/deployments"]?[key], writeDeploymentStatus(key, d, newSet: current?.0) { changed = true }
        return changed
    }

    /// Old ReplicaSets beyond `spec.revisionHistoryLimit` go, oldest first, once scaled to 0.
    func pruneOldReplicaSets(_ d: JSONValue, keeping current: KubeObjectKey?) -> Bool {
        let limit = Int(d["spec"]?["revisionHistoryLimit"]?.intValue ?? 10)
        let old = ownedReplicaSets(d).filter {
            $0.0 != current && ($0.1["spec"]?["replicas"]?.intValue ?? 0) == 0 && ($0.1["status"]?["replicas"]?.intValue ?? 0) == 0
        }
        guard old.count > limit, let rt = preferredType(storageKey: "apps/replicasets") else { return false }
        for (k, _) in old.sorted(by: { KubeCluster.revision($0.1) < KubeCluster.revision($1.1) }).prefix(old.count - limit) {
            _ = deleteObject(rt, k, policy: "Background")
        }
        return true
    }

    func writeDeploymentStatus(_ key: KubeObjectKey, _ d: JSONValue, newSet: KubeObjectKey?) -> Bool {
        let sets = ownedReplicaSets(d)
        let desired = Int64(d["spec"]?["replicas"]?.intValue ?? 1)
        var total: Int64 = 0
        var ready: Int64 = 0
        var updated: Int64 = 0
        for (k, rs) in sets {
            let pods = ownedPods(rs)
            total += Int64(pods.count)
            ready += Int64(pods.filter { KubeCluster.isReady($0.1) }.count)
            if k == newSet { updated = Int64(pods.count) }
        }
        let newName = newSet?.name ?? key.name
        var status: [String: JSONValue] = [
            "observedGeneration": d["metadata"]?["generation"] ?? 1, "replicas": .int(total), "updatedReplicas": .int(updated),
        ]
        if ready > 0 {
            status["readyReplicas"] = .int(ready)
            status["availableReplicas"] = .int(ready)
        }
        if desired - ready > 0 { status["unavailableReplicas"] = .int(desired - ready) }
        let available = ready >= desired - Int64(Double(desired) * 0.25)
        let complete = updated == desired && ready == desired && total == desired
        let old = d["status"]
        status["conditions"] = .array([
            condition(
                old, type: "Available", status: available ? "True" : "False",
                reason: available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                message: available ? "Deployment has minimum availability." : "Deployment does not have minimum availability."),
            condition(
                old, type: "Progressing", status: "True",
                reason: complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                message: complete ? "ReplicaSet \"\(newName)\" has successfully progressed." : "ReplicaSet \"\(newName)\" is progressing."),
        ])
        return writeStatus("apps/deployments", key, .object(status))
    }

    func ownedReplicaSets(_ d: JSONValue) -> [(KubeObjectKey, JSONValue)] {
        guard let uid = d["metadata"]?["uid"]?.stringValue else { return [] }
        let ns = d["metadata"]?["namespace"]?.stringValue ?? ""
        return (objects["apps/replicasets"] ?? [:]).filter { k, rs in
            k.namespace == ns && rs["metadata"]?["deletionTimestamp"] == nil
                && (rs["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains {
                    $0["uid"]?.stringValue == uid && $0["controller"]?.boolValue == true
                }
        }.sorted { $0.key < $1.key }
    }

    static func revision(_ rs: JSONValue) -> Int64 {
        Int64(rs["metadata"]?["annotations"]?[revisionAnnotation]?.stringValue ?? "") ?? 0
    }

    /// A ReplicaSet's template as its Deployment wrote it (without the hash label).
    static func withoutHash(_ template: JSONValue?) -> JSONValue {
        var t = template ?? .object([:])
        t.setValue(nil, at: ["metadata", "labels", podTemplateHashLabel])
        return t
    }

    func scalingEvent(_ d: JSONValue, _ message: String) {
        guard options.generateEvents, let ns = d["metadata"]?["namespace"]?.stringValue, let name = d["metadata"]?["name"]?.stringValue else {
            return
        }
        _ = emitEvent(
            namespace: ns, kind: "Deployment", name: name, apiVersion: "apps/v1", uid: d["metadata"]?["uid"]?.stringValue,
            reason: "ScalingReplicaSet", message: message, type: "Normal", component: "deployment-controller")
    }
}
