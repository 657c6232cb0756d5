import BrokkrCommon
import Foundation

/// Custom resource types served from the stored CRDs, once each CRD is established.
extension KubeCluster {
    static let crdStorageKey = "apiextensions.k8s.io/customresourcedefinitions"

    static func isEstablished(_ crd: JSONValue) -> Bool {
        (crd["status"]?["conditions"]?.arrayValue ?? []).contains { $0["type"]?.stringValue == "Established" && $0["status"]?.stringValue == "True" }
    }

    /// Rebuilds the served custom resource types from the stored, established CRDs, and schedules the
    /// establishment of new ones.
    func refreshCRDTypes() {
        var types: [KubeResourceType] = []
        let crds = objects[KubeCluster.crdStorageKey] ?? [:]
        for (key, crd) in crds where !KubeCluster.isEstablished(crd) && crdEstablishDeadlines[key.name] == nil {
            crdEstablishDeadlines[key.name] = Date().addingTimeInterval(options.crdEstablishDelay)
        }
        for (_, crd) in crds.sorted(by: { $0.key < $1.key }) {
            guard crd["metadata"]?["deletionTimestamp"] == nil, KubeCluster.isEstablished(crd),
                let spec = crd["spec"], let group = spec["group"]?.stringValue, let names = spec["names"],
                let plural = names["plural"]?.stringValue, let kind = names["kind"]?.stringValue
            else { continue }
            let namespaced = spec["scope"]?.stringValue != "Cluster"
            let singular = names["singular"]?.stringValue ?? kind.lowercased()
            let shortNames = (names["shortNames"]?.arrayValue ?? []).compactMap { $0.stringValue }
            let categories = (names["categories"]?.arrayValue ?? []).compactMap { $0.stringValue }
            for v in spec["versions"]?.arrayValue ?? [] where v["served"]?.boolValue != false {
                guard let vname = v["name"]?.stringValue else { continue }
                let subs = v["subresources"] ?? spec["subresources"]
                types.append(
                    KubeResourceType(
                        group: group, version: vname, plural: plural, singular: singular, kind: kind, namespaced: namespaced,
                        shortNames: shortNames, categories: categories, hasStatus: subs?["status"] != nil,
                        hasScale: subs?["scale"] != nil, crdName: crd["metadata"]?["name"]?.stringValue,
                        schema: v["schema"]?["openAPIV3Schema"] ?? spec["validation"]?["openAPIV3Schema"]))
            }
        }
        crdTypes = types
        // Custom resources whose CRD is gone are removed.
        let live = Set(types.map { $0.storageKey })
        for storageKey in objects.keys where !builtinTypes.contains(where: { $0.storageKey == storageKey }) && !live.contains(storageKey) {
            for k in (objects[storageKey] ?? [:]).keys { removeStored(storageKey, k) }
            objects[storageKey] = nil
        }
    }

    /// Marks CRDs whose establishment is due as `Established` and starts serving their kinds.
    func finishDueCRDEstablishment() {
        guard !crdEstablishDeadlines.isEmpty else { return }
        let now = Date()
        var any = false
        for (name, deadline) in crdEstablishDeadlines where deadline <= now {
            crdEstablishDeadlines[name] = nil
            let key = KubeObjectKey(namespace: nil, name: name)
            guard var crd = objects[KubeCluster.crdStorageKey]?[key] else { continue }
            var conditions = (crd["status"]?["conditions"]?.arrayValue ?? []).filter { $0["type"]?.stringValue != "Established" }
            conditions.append([
                "type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                "message": "the initial names have been accepted", "lastTransitionTime": .string(nowString()),
            ])
            crd.setValue(.array(conditions), at: ["status", "conditions"])
            commit(KubeCluster.crdStorageKey, key, crd)
            any = true
        }
        if any { refreshCRDTypes() }
    }
}
