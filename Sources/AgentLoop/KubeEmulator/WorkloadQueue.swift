import BrokkrCommon
import Foundation

/// The workloads the controllers must look at again, as a real controller's work queue fed by its
/// informers: a write to a workload queues it, a write to an object it controls (a ReplicaSet, a pod)
/// queues its controllers up the ownership chain, and a node change queues every DaemonSet. Each pass
/// of `reconcileWorkloads` takes the queue, so a write costs the work of what it touched instead of a
/// pass over every workload in the cluster.
struct WorkloadRef: Hashable, Comparable {
    /// The controllers' order within a pass: Deployments before the ReplicaSets they make, and so on.
    static let storageKeys = ["apps/deployments", "apps/replicasets", "apps/statefulsets", "apps/daemonsets"]
    static let storageKeyOfKind = [
        "Deployment": "apps/deployments", "ReplicaSet": "apps/replicasets", "StatefulSet": "apps/statefulsets",
        "DaemonSet": "apps/daemonsets",
    ]

    let storageKey: String
    let key: KubeObjectKey

    static func < (a: WorkloadRef, b: WorkloadRef) -> Bool {
        let (x, y) = (storageKeys.firstIndex(of: a.storageKey) ?? 0, storageKeys.firstIndex(of: b.storageKey) ?? 0)
        return x != y ? x < y : a.key < b.key
    }
}

extension KubeCluster {
    /// Called for every stored change (`commit`, `removeStored`) with the object as written or removed.
    func queueWorkloads(affectedBy obj: JSONValue, storageKey: String, key: KubeObjectKey) {
        guard options.runWorkloadControllers else { return }
        if WorkloadRef.storageKeys.contains(storageKey) { queuedWorkloads.insert(WorkloadRef(storageKey: storageKey, key: key)) }
        if storageKey == "/nodes" {
            for daemonSet in (objects["apps/daemonsets"] ?? [:]).keys {
                queuedWorkloads.insert(WorkloadRef(storageKey: "apps/daemonsets", key: daemonSet))
            }
        }
        // Up the chain of controllers (pod → ReplicaSet → Deployment): a Deployment's status counts
        // the pods of its ReplicaSets.
        var current = obj
        for _ in 0..<3 {
            guard
                let owner = (current["metadata"]?["ownerReferences"]?.arrayValue ?? []).first(where: { $0["controller"]?.boolValue == true }),
                let ownerStorage = owner["kind"]?.stringValue.flatMap({ WorkloadRef.storageKeyOfKind[$0] }),
                let ownerName = owner["name"]?.stringValue
            else { return }
            let ownerKey = KubeObjectKey(namespace: key.namespace, name: ownerName)
            queuedWorkloads.insert(WorkloadRef(storageKey: ownerStorage, key: ownerKey))
            guard let next = objects[ownerStorage]?[ownerKey] else { return }
            current = next
        }
    }

    /// The queued workloads, in the controllers' order, leaving the queue empty.
    func takeQueuedWorkloads() -> [WorkloadRef] {
        defer { queuedWorkloads = [] }
        return queuedWorkloads.sorted()
    }
}
