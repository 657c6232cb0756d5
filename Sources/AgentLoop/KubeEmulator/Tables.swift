import BrokkrCommon
import Foundation

/// Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), which `kubectl get` asks for.
enum Tables {
    struct Column {
        var name: String
        var type: String = "string"
        var format: String = ""
        var priority: Int = 0
        var cell: (JSONValue) -> JSONValue
    }

    static func table(for rt: KubeResourceType, list: JSONValue, cluster: KubeCluster, query: [String: String]) -> JSONValue {
        let now = cluster.options.clock()
        let cols = columns(for: rt, cluster: cluster, now: now)
        let include = query["includeObject"] ?? "Metadata"
        let rows: [JSONValue] = (list["items"]?.arrayValue ?? []).map { item in
            var row: [String: JSONValue] = ["cells": .array(cols.map { $0.cell(item) })]
            switch include {
            case "None": break
            case "Object": row["object"] = item
            default:
                row["object"] = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": item["metadata"] ?? .object([:])]
            }
            return .object(row)
        }
        return [
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": ["resourceVersion": list["metadata"]?["resourceVersion"] ?? ""],
            "columnDefinitions": .array(
                cols.map { c in
                    [
                        "name": .string(c.name), "type": .string(c.type), "format": .string(c.format), "description": .string(c.name),
                        "priority": .int(Int64(c.priority)),
                    ]
                }),
            "rows": .array(rows),
        ]
    }

    static func humanDuration(_ seconds: Int) -> String {
        let s = max(seconds, 0)
        if s < 120 { return "\(s)s" }
        let m = s / 60
        if m < 10 { return s % 60 == 0 ? "\(m)m" : "\(m)m\(s % 60)s" }
        if m < 180 { return "\(m)m" }
        let h = m / 60
        if h < 8 { return m % 60 == 0 ? "\(h)h" : "\(h)h\(m % 60)m" }
        if h < 48 { return "\(h)h" }
        if h < 24 * 8 { return h % 24 == 0 ? "\(h / 24)d" : "\(h / 24)d\(h % 24)h" }
        if h < 24 * 365 * 2 { return "\(h / 24)d" }
        let y = h / (24 * 365)
        if y < 8 { return "\(y)y\((h / 24) % 365)d" }
        return "\(y)y"
    }

    static func age(_ ts: JSONValue?, now: Date) -> JSONValue {
        guard let s = ts?.stringValue, let d = KubeCluster.parseTime(s) else { return "<unknown>" }
        return .string(humanDuration(Int(now.timeIntervalSince(d))))
    }

    static func columns(for rt: KubeResourceType, cluster: KubeCluster, now: Date) -> [Column] {
        let name = Column(name: "Name", format: "name") { $0["metadata"]?["name"] ?? "" }
        let ageCol = Column(name: "Age") { age($0["metadata"]?["creationTimestamp"], now: now) }
        func int(_ v: JSONValue?) -> Int64 { v?.intValue ?? 0 }
        if let crd = rt.crdName {
            let crdObj = cluster.objects["apiextensions.k8s.io/customresourcedefinitions"]?[KubeObjectKey(namespace: nil, name: crd)]
            let version = (crdObj?["spec"]?["versions"]?.arrayValue ?? []).first { $0["name"]?.stringValue == rt.version }
            let printer = version?["additionalPrinterColumns"]?.arrayValue ?? []
            var cols = [name]
            var sawAge = false
            for p in printer {
                guard let title = p["name"]?.stringValue, let path = p["jsonPath"]?.stringValue else { continue }
                let type = p["type"]?.stringValue ?? "string"
                if path == ".metadata.creationTimestamp" {
                    sawAge = true
                    cols.append(
                        Column(name: title, type: "date", priority: Int(p["priority"]?.intValue ?? 0)) {
                            age($0["metadata"]?["creationTimestamp"], now: now)
                        })
                    continue
                }
                cols.append(
                    Column(name: title, type: type, priority: Int(p["priority"]?.intValue ?? 0)) { obj in
                        let v = JSONPathLite.evaluate(path, obj)
                        if type == "date", let s = v?.stringValue, let d = KubeCluster.parseTime(s) {
                            return .string(humanDuration(Int(now.timeIntervalSince(d))))
                        }
                        switch v {
                        case nil: return .null
                        case .string?, .int?, .double?, .bool?: return v!
                        default: return .string(v!.kubeSerialized())
                        }
                    })
            }
            if !sawAge { cols.append(ageCol) }
            return cols
        }
        switch (rt.group, rt.plural) {
        case ("", "pods"):
            return [
                name,
                Column(name: "Ready") { p in
                    let cs = p["status"]?["containerStatuses"]?.arrayValue ?? []
                    let total = max(cs.count, p["spec"]?["containers"]?.arrayValue?.count ?? 0)
                    return .string("\(cs.filter { $0["ready"]?.boolValue == true }.count)/\(total)")
                },
                Column(name: "Status") { p in .string(podStatusReason(p)) },
                Column(name: "Restarts", type: "string") { p in
                    .string(String((p["status"]?["containerStatuses"]?.arrayValue ?? []).reduce(Int64(0)) { $0 + int($1["restartCount"]) }))
                },
                ageCol,
                Column(name: "IP", priority: 1) { $0["status"]?["podIP"] ?? "<none>" },
                Column(name: "Node", priority: 1) { $0["spec"]?["nodeName"] ?? "<none>" },
            ]
        case ("apps", "deployments"):
            return [
                name,
                Column(name: "Ready") { d in .string("\(int(d["status"]?["readyReplicas"]))/\(int(d["spec"]?["replicas"]))") },
                Column(name: "Up-to-date", type: "integer") { d in .int(int(d["status"]?["updatedReplicas"])) },
                Column(name: "Available", type: "integer") { d in .int(int(d["status"]?["availableReplicas"])) },
                ageCol,
                Column(name: "Containers", priority: 1) { d in
                    .string(
                        (d["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }.joined(
                            separator: ","))
                },
                Column(name: "Images", priority: 1) { d in
                    .string(
                        (d["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }.joined(
                            separator: ","))
                },
                Column(name: "Selector", priority: 1) { d in .string(KubeLabelSelector.fromObject(d["spec"]?["selector"])?.stringValue ?? "") },
            ]
        case ("apps", "replicasets"):
            return [
                name,
                Column(name: "Desired", type: "integer") { .int(int($0["spec"]?["replicas"])) },
                Column(name: "Current", type: "integer") { .int(int($0["status"]?["replicas"])) },
                Column(name: "Ready", type: "integer") { .int(int($0["status"]?["readyReplicas"])) },
                ageCol,
            ]
        case ("apps", "statefulsets"):
            return [
                name,
                Column(name: "Ready") { s in .string("\(int(s["status"]?["readyReplicas"]))/\(int(s["spec"]?["replicas"]))") },
                ageCol,
            ]
        case ("apps", "daemonsets"):
            return [
                name,
                Column(name: "Desired", type: "integer") { .int(int($0["status"]?["desiredNumberScheduled"])) },
                Column(name: "Current", type: "integer") { .int(int($0["status"]?["currentNumberScheduled"])) },
                Column(name: "Ready", type: "integer") { .int(int($0["status"]?["numberReady"])) },
                Column(name: "Up-to-date", type: "integer") { .int(int($0["status"]?["updatedNumberScheduled"])) },
                Column(name: "Available", type: "integer") { .int(int($0["status"]?["numberAvailable"])) },
                ageCol,
            ]
        case ("", "services"):
            return [
                name,
                Column(name: "Type") { $0["spec"]?["type"] ?? "ClusterIP" },
                Column(name: "Cluster-IP") { $0["spec"]?["clusterIP"] ?? "<none>" },
                Column(name: "External-IP") { s in
                    let ing = (s["status"]?["loadBalancer"]?["ingress"]?.arrayValue ?? []).compactMap {
                        $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue
                    }
                    if !ing.isEmpty { return .string(ing.joined(separator: ",")) }
                    return s["spec"]?["type"]?.stringValue == "LoadBalancer" ? "<pending>" : "<none>"
                },
                Column(name: "Port(s)") { s in
                    let ports = (s["spec"]?["ports"]?.arrayValue ?? []).map { p -> String in
                        var t = "\(int(p["port"]))"
                        if let np = p["nodePort"]?.intValue { t += ":\(np)" }
                        return t + "/\(p["protocol"]?.stringValue ?? "TCP")"
                    }
                    return .string(ports.isEmpty ? "<none>" : ports.joined(separator: ","))
                },
                ageCol,
            ]
        case ("", "namespaces"):
            return [name, Column(name: "Status") { $0["status"]?["phase"] ?? "Active" }, ageCol]
        case ("", "nodes"):
            return [
                name,
                Column(name: "Status") { n in
                    let ready = (n["status"]?["conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == "Ready" }
                    return ready?["status"]?.stringValue == "True" ? "Ready" : "NotReady"
                },
                Column(name: "Roles") { n in
                    let roles = (n["metadata"]?["labels"]?.objectValue ?? [:]).keys.filter { $0.hasPrefix("node-role.kubernetes.io/") }
                        .map { String($0.dropFirst("node-role.kubernetes.io/".count)) }.sorted()
                    return .string(roles.isEmpty ? "<none>" : roles.joined(separator: ","))
                },
                ageCol,
                Column(name: "Version") { $0["status"]?["nodeInfo"]?["kubeletVersion"] ?? "" },
            ]
        case ("", "configmaps"):
            return [
                name,
                Column(name: "Data", type: "integer") { c in
                    .int(Int64((c["data"]?.objectValue?.count ?? 0) + (c["binaryData"]?.objectValue?.count ?? 0)))
                }, ageCol,
            ]
        case ("", "secrets"):
            return [
                name, Column(name: "Type") { $0["type"] ?? "Opaque" },
                Column(name: "Data", type: "integer") { .int(Int64($0["data"]?.objectValue?.count ?? 0)) }, ageCol,
            ]
        case ("", "serviceaccounts"):
            return [name, Column(name: "Secrets", type: "integer") { .int(Int64($0["secrets"]?.arrayValue?.count ?? 0)) }, ageCol]
        case ("", "events"):
            return [
                Column(name: "Last Seen") { age($0["lastTimestamp"] ?? $0["eventTime"] ?? $0["metadata"]?["creationTimestamp"], now: now) },
                Column(name: "Type") { $0["type"] ?? "" },
                Column(name: "Reason") { $0["reason"] ?? "" },
                Column(name: "Object") { e in
                    .string("\((e["involvedObject"]?["kind"]?.stringValue ?? "").lowercased())/\(e["involvedObject"]?["name"]?.stringValue ?? "")")
                },
                Column(name: "Message") { $0["message"] ?? "" },
            ]
        case ("batch", "jobs"):
            return [
                name,
                Column(name: "Status") { j in
                    let conds = j["status"]?["conditions"]?.arrayValue ?? []
                    if conds.contains(where: { $0["type"]?.stringValue == "Complete" && $0["status"]?.stringValue == "True" }) { return "Complete" }
                    if conds.contains(where: { $0["type"]?.stringValue == "Failed" && $0["status"]?.stringValue == "True" }) { return "Failed" }
                    if j["spec"]?["suspend"]?.boolValue == true { return "Suspended" }
                    return "Running"
                },
                Column(name: "Completions") { j in .string("\(int(j["status"]?["succeeded"]))/\(j["spec"]?["completions"]?.intValue ?? 1)") },
                ageCol,
            ]
        case ("batch", "cronjobs"):
            return [
                name, Column(name: "Schedule") { $0["spec"]?["schedule"] ?? "" },
                Column(name: "Suspend") { .string(String($0["spec"]?["suspend"]?.boolValue ?? false).capitalized) }, ageCol,
            ]
        case ("apiextensions.k8s.io", "customresourcedefinitions"):
            return [name, Column(name: "Created At", type: "date") { $0["metadata"]?["creationTimestamp"] ?? "" }]
        case ("", "persistentvolumeclaims"):
            return [name, Column(name: "Status") { $0["status"]?["phase"] ?? "Pending" }, ageCol]
        default:
            return [name, ageCol]
        }
    }

    /// The STATUS column of `kubectl get pods`.
    static func podStatusReason(_ p: JSONValue) -> String {
        if p["metadata"]?["deletionTimestamp"] != nil { return "Terminating" }
        var reason = p["status"]?["reason"]?.stringValue ?? p["status"]?["phase"]?.stringValue ?? "Pending"
        for (i, c) in (p["status"]?["initContainerStatuses"]?.arrayValue ?? []).enumerated() {
            if let t = c["state"]?["terminated"], t["exitCode"]?.intValue == 0 { continue }
            if let r = c["state"]?["waiting"]?["reason"]?.stringValue, r != "PodInitializing" { return "Init:\(r)" }
            if let r = c["state"]?["terminated"]?["reason"]?.stringValue { return "Init:\(r)" }
            return "Init:\(i)/\(p["spec"]?["initContainers"]?.arrayValue?.count ?? 0)"
        }
        for c in (p["status"]?["containerStatuses"]?.arrayValue ?? []).reversed() {
            if let r = c["state"]?["waiting"]?["reason"]?.stringValue, !r.isEmpty {
                reason = r
            } else if let r = c["state"]?["terminated"]?["reason"]?.stringValue, !r.isEmpty {
                reason = r
            }
        }
        return reason
    }
}

/// Enough JSONPath for CRD printer columns: `.a.b`, `.a[0]`, `.a[*].b`, `.a[?(@.type=="Ready")].status`.
enum JSONPathLite {
    static func evaluate(_ path: String, _ obj: JSONValue) -> JSONValue? {
        var p = path.trimmingCharacters(in: .whitespaces)
        if p.hasPrefix("{") && p.hasSuffix("}") { p = String(p.dropFirst().dropLast()) }
        if p.hasPrefix("$") { p.removeFirst() }
        var current: [JSONValue] = [obj]
        var i = p.startIndex
        while i < p.endIndex {
            let c = p[i]
            if c == "." {
                i = p.index(after: i)
                var name = ""
                while i < p.endIndex, p[i] != ".", p[i] != "[" {
                    name.append(p[i])
                    i = p.index(after: i)
                }
                if name.isEmpty { continue }
                current = current.compactMap { $0[name] }
            } else if c == "[" {
                guard let close = matchingBracket(p, from: i) else { return nil }
                let inner = String(p[p.index(after: i)..<close])
                i = p.index(after: close)
                if inner == "*" {
                    current = current.flatMap { $0.arrayValue ?? Array(($0.objectValue ?? [:]).values) }
                } else if let n = Int(inner) {
                    current = current.compactMap { v in
                        guard let a = v.arrayValue else { return nil }
                        let idx = n < 0 ? a.count + n : n
                        return idx >= 0 && idx < a.count ? a[idx] : nil
                    }
                } else if inner.hasPrefix("?(@.") && inner.hasSuffix(")") {
                    let expr = inner.dropFirst(4).dropLast()
                    let parts = expr.components(separatedBy: "==")
                    guard parts.count == 2 else { return nil }
                    let field = parts[0].trimmingCharacters(in: .whitespaces)
                    var want = parts[1].trimmingCharacters(in: .whitespaces)
                    if (want.hasPrefix("\"") && want.hasSuffix("\"")) || (want.hasPrefix("'") && want.hasSuffix("'")) {
                        want = String(want.dropFirst().dropLast())
                    }
                    current = current.flatMap { $0.arrayValue ?? [] }.filter { item in
                        guard let v = item.value(at: field.split(separator: ".").map(String.init)) else { return false }
                        return (v.stringValue ?? v.kubeSerialized()) == want
                    }
                } else {
                    let key = inner.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
                    current = current.compactMap { $0[key] }
                }
            } else {
                i = p.index(after: i)
            }
        }
        if current.isEmpty { return nil }
        return current.count == 1 ? current[0] : .array(current)
    }

    private static func matchingBracket(_ s: String, from: String.Index) -> String.Index? {
        var depth = 0
        var i = from
        while i < s.endIndex {
            if s[i] == "[" { depth += 1 }
            if s[i] == "]" {
                depth -= 1
                if depth == 0 { return i }
            }
            i = s.index(after: i)
        }
        return nil
    }
}
