import Foundation

/// The namespace controller (empties terminating namespaces) and the service-account controller.
extension KubeCluster {
    func reconcileNamespaces() -> Bool {
        var changed = false
        for (k, ns) in objects["/namespaces"] ?? [:] {
            if ns["metadata"]?["deletionTimestamp"] != nil {
                if namespaceDeadlines[k.name] != nil { continue }
                emptyNamespace(k.name)
                if namespaceIsEmpty(k.name) && (ns["metadata"]?["finalizers"]?.arrayValue ?? []).isEmpty {
                    removeStored("/namespaces", k)
                    changed = true
                }
            } else if options.createDefaultServiceAccounts, objects["/serviceaccounts"]?[KubeObjectKey(namespace: k.name, name: "default")] == nil {
                systemCreate(["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "default", "namespace": .string(k.name)]])
                changed = true
            }
        }
        return changed
    }
}
