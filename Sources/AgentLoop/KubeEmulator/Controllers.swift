import BrokkrCommon
import Foundation

/// The emulated control loops: a kubelet that starts pods, the Deployment controller (ReplicaSets per
/// pod template), controllers that keep pods for ReplicaSets/StatefulSets/DaemonSets/Jobs, the namespace
/// finalizer and the service-account controller. They run synchronously after every write until
/// nothing changes.
extension KubeCluster {
    func runControllers() {
        for _ in 0..<10 {
            var changed = false
            if reconcileNamespaces() { changed = true }
            if kubelet() { changed = true }
            if options.runWorkloadControllers {
                if reconcileWorkloads() { changed = true }
                if reconcileJobs() { changed = true }
            }
            if !changed { break }
        }
    }

    static let safeAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func templateHash(_ template: JSONValue?) -> String {
        var h = fnv1a((template ?? .null).kubeSerialized())
        var out = ""
        for _ in 0..<10 {
            out.append(safeAlphabet[Int(h % UInt64(safeAlphabet.count))])
            h /= UInt64(safeAlphabet.count)
        }
        return out
    }

    /// Writes a new status for an object if it differs from the stored one.
    @discardableResult
    func writeStatus(_ storageKey: String, _ key: KubeObjectKey, _ status: JSONValue, manager: String = "kube-controller-manager") -> Bool {
        guard var obj = objects[storageKey]?[key] else { return false }
        if let old = obj["status"], jsonEqual(old, status) { return false }
        let live = obj
        obj["status"] = status
        obj = FieldManager.update(
            live: live, new: obj, manager: manager, apiVersion: obj["apiVersion"]?.stringValue ?? "v1", subresource: "status",
            cursor: .builtin, topLevel: { $0 == "status" }, now: nowString())
        commit(storageKey, key, obj)
        return true
    }

    /// Changes a stored object as a controller does (spec or metadata, not status): the generation
    /// follows spec changes and the controller's fields are tracked.
    @discardableResult
    func controllerUpdate(
        _ storageKey: String, _ key: KubeObjectKey, manager: String = "kube-controller-manager", _ change: (inout JSONValue) -> Void
    )
        -> Bool
    {
        guard let live = objects[storageKey]?[key] else { return false }
        var obj = live
        change(&obj)
        if jsonEqual(live, obj) { return false }
        if KubeCluster.specChanged(live, obj) {
            obj.setValue(.int((live["metadata"]?["generation"]?.intValue ?? 1) + 1), at: ["metadata", "generation"])
        }
        obj = FieldManager.update(
            live: live, new: obj, manager: manager, apiVersion: obj["apiVersion"]?.stringValue ?? "v1", subresource: nil,
            cursor: .builtin, topLevel: { $0 != "apiVersion" && $0 != "kind" && $0 != "status" }, now: nowString())
        commit(storageKey, key, obj)
        return true
    }

    func ownedPods(_ owner: JSONValue) -> [(KubeObjectKey, JSONValue)] {
        guard let uid = owner["metadata"]?["uid"]?.stringValue else { return [] }
        let ns = owner["metadata"]?["namespace"]?.stringValue ?? ""
        return (objects["/pods"] ?? [:]).filter { k, p in
            k.namespace == ns && p["metadata"]?["deletionTimestamp"] == nil
                && (p["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains {
                    $0["uid"]?.stringValue == uid && $0["controller"]?.boolValue == true
                }
        }.sorted { $0.key < $1.key }
    }

    static func skipsControllers(_ obj: JSONValue) -> Bool {
        obj["metadata"]?["annotations"]?[skipControllersAnnotation]?.stringValue == "true"
    }

    static func isReady(_ pod: JSONValue) -> Bool {
        (pod["status"]?["conditions"]?.arrayValue ?? []).contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
    }

    static func ownerRef(_ owner: JSONValue) -> JSONValue {
        [
            "apiVersion": owner["apiVersion"] ?? "v1", "kind": owner["kind"] ?? "", "name": owner["metadata"]?["name"] ?? "",
            "uid": owner["metadata"]?["uid"] ?? "", "controller": true, "blockOwnerDeletion": true,
        ]
    }
}
