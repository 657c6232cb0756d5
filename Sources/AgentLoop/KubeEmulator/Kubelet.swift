import Foundation

/// The emulated kubelet: binds new pods to the first node and gives them a status.
extension KubeCluster {
    func kubelet() -> Bool {
        var changed = false
        let nodeName = (objects["/nodes"] ?? [:]).keys.sorted().first?.name
        for (k, pod) in (objects["/pods"] ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard pod["metadata"]?["deletionTimestamp"] == nil, !KubeCluster.skipsControllers(pod) else { continue }
            var p = pod
            if p["spec"]?["nodeName"] == nil, let nodeName {
                p.setValue(.string(nodeName), at: ["spec", "nodeName"])
                p = commit("/pods", k, p)
                changed = true
            }
            let status = p["status"]
            let fresh =
                status?["conditions"] == nil && status?["containerStatuses"] == nil
                && (status?["phase"]?.stringValue ?? "Pending") == "Pending"
            guard fresh else { continue }
            let newStatus =
                options.autoRunPods ? KubePodStatus.running(for: p, cluster: self) : KubePodStatus.containerCreating(for: p, cluster: self)
            writeStatus("/pods", k, newStatus, manager: "kubelet")
            changed = true
            if options.generateEvents {
                let name = k.name
                _ = emitEvent(
                    namespace: k.namespace, kind: "Pod", name: name, apiVersion: "v1", uid: p["metadata"]?["uid"]?.stringValue,
                    reason: "Scheduled", message: "Successfully assigned \(k.namespace)/\(name) to \(nodeName ?? "node")",
                    type: "Normal", component: "default-scheduler")
                if options.autoRunPods {
                    for c in p["spec"]?["containers"]?.arrayValue ?? [] {
                        let cn = c["name"]?.stringValue ?? ""
                        _ = emitEvent(
                            namespace: k.namespace, kind: "Pod", name: name, apiVersion: "v1", uid: p["metadata"]?["uid"]?.stringValue,
                            reason: "Started", message: "Started container \(cn)", type: "Normal", component: "kubelet")
                    }
                }
            }
        }
        return changed
    }
}
