import BrokkrCommon
import Foundation

/// The fields the API server refuses to change on update, worded as the server words them: a Job's
/// template and selector, the selector of Deployments/ReplicaSets/DaemonSets, most of a StatefulSet's
/// spec, a Service's cluster IP, a PVC's spec, and the contents of ConfigMaps/Secrets marked
/// `immutable: true`. Each broken rule is one cause of a 422 Invalid.
enum Immutability {
    static let statefulSetMutable: Set<String> = [
        "replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds",
    ]
    static let immutableWhenSet = "field is immutable when `immutable` is set"

    /// Values the server allocated that an update leaving them out keeps (a PUT or apply without
    /// `clusterIP` does not ask for a new address).
    static func carryAllocated(from live: JSONValue, into obj: inout JSONValue, _ rt: KubeResourceType) {
        guard rt.isCore, rt.kind == "Service", obj["spec"]?.isObject == true else { return }
        let oldIP = live["spec"]?["clusterIP"]
        let oldIPs = live["spec"]?["clusterIPs"]
        let newIP = obj["spec"]?["clusterIP"]?.stringValue ?? ""
        if newIP.isEmpty, let oldIP {
            obj.setValue(oldIP, at: ["spec", "clusterIP"])
            if obj["spec"]?["clusterIPs"] == nil, let oldIPs { obj.setValue(oldIPs, at: ["spec", "clusterIPs"]) }
        } else if newIP != oldIP?.stringValue, let ips = obj["spec"]?["clusterIPs"], let oldIPs, jsonEqual(ips, oldIPs) {
            // A changed clusterIP with untouched clusterIPs asks for the new address in both.
            obj.setValue([.string(newIP)], at: ["spec", "clusterIPs"])
        }
    }

    /// The causes for changing `live` into `obj`; empty when the update is allowed.
    static func violations(live: JSONValue, obj: JSONValue, _ rt: KubeResourceType) -> [KubeFieldError] {
        guard rt.crdName == nil else { return [] }
        switch (rt.group, rt.kind) {
        case ("batch", "Job"):
            var errs: [KubeFieldError] = []
            if changed(live, obj, "spec", "selector") {
                errs.append(.immutable("spec.selector", rendered: GoSyntax.labelSelector(obj["spec"]?["selector"])))
            }
            if changed(live, obj, "spec", "template") {
                errs.append(.immutable("spec.template", rendered: GoSyntax.podTemplate(obj["spec"]?["template"])))
            }
            return errs
        case ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "DaemonSet"):
            guard changed(live, obj, "spec", "selector") else { return [] }
            return [.immutable("spec.selector", rendered: GoSyntax.labelSelector(obj["spec"]?["selector"]))]
        case ("apps", "StatefulSet"):
            let fixed = { (o: JSONValue) in (o["spec"]?.objectValue ?? [:]).filter { !statefulSetMutable.contains($0.key) } }
            guard !jsonEqual(.object(fixed(live)), .object(fixed(obj))) else { return [] }
            return [
                .forbidden(
                    "spec",
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
                )
            ]
        case ("", "Service"):
            return serviceViolations(live, obj)
        case ("", "PersistentVolumeClaim"):
            return pvcViolations(live, obj)
        case ("", "ConfigMap"), ("", "Secret"):
            guard live["immutable"]?.boolValue == true else { return [] }
            var errs: [KubeFieldError] = []
            if obj["immutable"]?.boolValue != true { errs.append(.forbidden("immutable", immutableWhenSet)) }
            let contents = rt.kind == "Secret" ? ["data"] : ["data", "binaryData"]
            for field in contents where changed(live, obj, field) { errs.append(.forbidden(field, immutableWhenSet)) }
            if rt.kind == "Secret", changed(live, obj, "type") {
                errs.append(.invalidValue("type", obj["type"] ?? .null, "field is immutable"))
            }
            return errs
        default:
            return []
        }
    }

    static func changed(_ a: JSONValue, _ b: JSONValue, _ path: String...) -> Bool {
        !jsonEqual(a.value(at: path) ?? .null, b.value(at: path) ?? .null)
    }

    static func serviceViolations(_ live: JSONValue, _ obj: JSONValue) -> [KubeFieldError] {
        let externalName = { (o: JSONValue) in o["spec"]?["type"]?.stringValue == "ExternalName" }
        guard !externalName(live), !externalName(obj) else { return [] }
        func addresses(_ o: JSONValue) -> [JSONValue] {
            if let ips = o["spec"]?["clusterIPs"]?.arrayValue { return ips }
            if let ip = o["spec"]?["clusterIP"] { return [ip] }
            return []
        }
        let oldIPs = addresses(live)
        let newIPs = addresses(obj)
        if oldIPs.first?.stringValue == "None" && newIPs.first?.stringValue == "None" { return [] }
        guard let old = oldIPs.first, let new = newIPs.first, !jsonEqual(old, new) else { return [] }
        return [.immutable("spec.clusterIPs[0]", rendered: GoSyntax.stringList(.array(newIPs)), detail: "may not change once set")]
    }

    /// Only `resources.requests` (growing a bound claim) and `volumeAttributesClassName` may change.
    static func pvcViolations(_ live: JSONValue, _ obj: JSONValue) -> [KubeFieldError] {
        func fixed(_ o: JSONValue) -> [String: JSONValue] {
            var spec = o["spec"]?.objectValue ?? [:]
            spec["volumeAttributesClassName"] = nil
            if var resources = spec["resources"]?.objectValue {
                resources["requests"] = nil
                spec["resources"] = resources.isEmpty ? nil : .object(resources)
            }
            return spec
        }
        let before = fixed(live)
        let after = fixed(obj)
        guard !jsonEqual(.object(before), .object(after)) else { return [] }
        // The server appends a go-cmp diff of the spec; this one lists the changed fields the same way.
        var diff = "  core.PersistentVolumeClaimSpec{\n"
        for key in Set(before.keys).union(after.keys).sorted() where !jsonEqual(before[key] ?? .null, after[key] ?? .null) {
            let name = GoSyntax.fieldName(key)
            if let b = before[key] { diff += "- \t\(name): \(GoSyntax.value(b, key: key)),\n" }
            if let a = after[key] { diff += "+ \t\(name): \(GoSyntax.value(a, key: key)),\n" }
        }
        diff += "  }\n"
        return [
            .forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n" + diff)
        ]
    }
}
