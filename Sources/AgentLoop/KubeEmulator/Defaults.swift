import BrokkrCommon
import Foundation

/// The defaults the API server fills in on write, for the fields clients commonly read back.
enum Defaults {
    static func apply(_ obj: inout JSONValue, _ rt: KubeResourceType, isCreate: Bool, cluster: KubeCluster) {
        guard rt.crdName == nil else { return }
        switch (rt.group, rt.kind) {
        case ("", "Namespace"):
            let name = obj["metadata"]?["name"]?.stringValue ?? ""
            obj.setValue(.string(name), at: ["metadata", "labels", "kubernetes.io/metadata.name"])
            if obj["spec"]?["finalizers"] == nil { obj.setValue(["kubernetes"], at: ["spec", "finalizers"]) }
            if obj["status"]?["phase"] == nil { obj.setValue("Active", at: ["status", "phase"]) }
        case ("", "Pod"):
            if var spec = obj["spec"], spec.isObject {
                podSpec(&spec)
                obj["spec"] = spec
            }
            if obj["status"]?["phase"] == nil {
                obj.setValue("Pending", at: ["status", "phase"])
                obj.setValue(.string(qosClass(obj["spec"])), at: ["status", "qosClass"])
            }
        case ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "StatefulSet"), ("apps", "DaemonSet"):
            if obj["spec"]?.isObject == true {
                if rt.kind != "DaemonSet" && obj["spec"]?["replicas"] == nil { obj.setValue(1, at: ["spec", "replicas"]) }
                if rt.kind != "ReplicaSet" && obj["spec"]?["revisionHistoryLimit"] == nil {
                    obj.setValue(10, at: ["spec", "revisionHistoryLimit"])
                }
                if rt.kind == "Deployment" {
                    if obj["spec"]?["progressDeadlineSeconds"] == nil { obj.setValue(600, at: ["spec", "progressDeadlineSeconds"]) }
                    if obj["spec"]?["strategy"] == nil {
                        obj.setValue(
                            ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]], at: ["spec", "strategy"])
                    }
                }
                if rt.kind == "StatefulSet" {
                    if obj["spec"]?["podManagementPolicy"] == nil { obj.setValue("OrderedReady", at: ["spec", "podManagementPolicy"]) }
                    if obj["spec"]?["updateStrategy"] == nil {
                        obj.setValue(["type": "RollingUpdate", "rollingUpdate": ["partition": 0]], at: ["spec", "updateStrategy"])
                    }
                }
                if rt.kind == "DaemonSet", obj["spec"]?["updateStrategy"] == nil {
                    obj.setValue(["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": 0]], at: ["spec", "updateStrategy"])
                }
                if var t = obj["spec"]?["template"]?["spec"], t.isObject {
                    podSpec(&t)
                    obj.setValue(t, at: ["spec", "template", "spec"])
                }
            }
        case ("batch", "Job"):
            guard obj["spec"]?.isObject == true else { break }
            for (k, v) in [("backoffLimit", 6), ("completions", 1), ("parallelism", 1)] where obj["spec"]?[k] == nil {
                obj.setValue(.int(Int64(v)), at: ["spec", k])
            }
            if obj["spec"]?["completionMode"] == nil { obj.setValue("NonIndexed", at: ["spec", "completionMode"]) }
            if obj["spec"]?["suspend"] == nil { obj.setValue(false, at: ["spec", "suspend"]) }
            if obj["spec"]?["manualSelector"]?.boolValue != true, let uid = obj["metadata"]?["uid"]?.stringValue,
                let name = obj["metadata"]?["name"]?.stringValue, obj["spec"]?["selector"] == nil
            {
                obj.setValue(["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]], at: ["spec", "selector"])
                for (k, v) in [
                    ("batch.kubernetes.io/controller-uid", uid), ("batch.kubernetes.io/job-name", name), ("controller-uid", uid),
                    ("job-name", name),
                ] {
                    obj.setValue(.string(v), at: ["spec", "template", "metadata", "labels", k])
                }
            }
            if var t = obj["spec"]?["template"]?["spec"], t.isObject {
                podSpec(&t, restartPolicy: "Never")
                obj.setValue(t, at: ["spec", "template", "spec"])
            }
        case ("batch", "CronJob"):
            guard obj["spec"]?.isObject == true else { break }
            for (k, v) in [("successfulJobsHistoryLimit", 3), ("failedJobsHistoryLimit", 1)] where obj["spec"]?[k] == nil {
                obj.setValue(.int(Int64(v)), at: ["spec", k])
            }
            if obj["spec"]?["concurrencyPolicy"] == nil { obj.setValue("Allow", at: ["spec", "concurrencyPolicy"]) }
            if obj["spec"]?["suspend"] == nil { obj.setValue(false, at: ["spec", "suspend"]) }
        case ("", "Service"):
            guard obj["spec"]?.isObject == true else { break }
            let type = obj["spec"]?["type"]?.stringValue ?? "ClusterIP"
            obj.setValue(.string(type), at: ["spec", "type"])
            if type != "ExternalName" {
                if obj["spec"]?["clusterIP"] == nil || obj["spec"]?["clusterIP"]?.stringValue == "" {
                    let ip = cluster.allocateServiceIP()
                    obj.setValue(.string(ip), at: ["spec", "clusterIP"])
                }
                if obj["spec"]?["clusterIPs"] == nil, let ip = obj["spec"]?["clusterIP"] { obj.setValue([ip], at: ["spec", "clusterIPs"]) }
                if obj["spec"]?["sessionAffinity"] == nil { obj.setValue("None", at: ["spec", "sessionAffinity"]) }
                if obj["spec"]?["ipFamilies"] == nil { obj.setValue(["IPv4"], at: ["spec", "ipFamilies"]) }
                if obj["spec"]?["ipFamilyPolicy"] == nil { obj.setValue("SingleStack", at: ["spec", "ipFamilyPolicy"]) }
                if obj["spec"]?["internalTrafficPolicy"] == nil { obj.setValue("Cluster", at: ["spec", "internalTrafficPolicy"]) }
            }
            if var ports = obj["spec"]?["ports"]?.arrayValue {
                for i in ports.indices where ports[i].isObject {
                    if ports[i]["protocol"] == nil { ports[i]["protocol"] = "TCP" }
                    if ports[i]["targetPort"] == nil, let p = ports[i]["port"] { ports[i]["targetPort"] = p }
                    if type == "NodePort" || type == "LoadBalancer", ports[i]["nodePort"] == nil {
                        ports[i]["nodePort"] = .int(30000 + Int64(cluster.serviceIPCounter % 2000))
                    }
                }
                obj.setValue(.array(ports), at: ["spec", "ports"])
            }
            if obj["status"] == nil { obj["status"] = ["loadBalancer": .object([:])] }
        case ("", "Secret"):
            if obj["type"] == nil { obj["type"] = "Opaque" }
            if let sd = obj["stringData"]?.objectValue {
                for (k, v) in sd {
                    if let s = v.stringValue { obj.setValue(.string(Data(s.utf8).base64EncodedString()), at: ["data", k]) }
                }
                obj["stringData"] = nil
            }
        case ("", "ServiceAccount"), ("", "ConfigMap"):
            break
        case ("apiextensions.k8s.io", "CustomResourceDefinition"):
            crdStatus(&obj, cluster: cluster)
        default:
            break
        }
    }

    static func podSpec(_ spec: inout JSONValue, restartPolicy: String = "Always") {
        for field in ["containers", "initContainers"] {
            guard var cs = spec[field]?.arrayValue else { continue }
            for i in cs.indices where cs[i].isObject {
                if cs[i]["imagePullPolicy"] == nil, let image = cs[i]["image"]?.stringValue {
                    let tagged = image.split(separator: "/").last.map { $0.contains(":") || $0.contains("@") } ?? false
                    cs[i]["imagePullPolicy"] = .string(!tagged || image.hasSuffix(":latest") ? "Always" : "IfNotPresent")
                }
                if cs[i]["terminationMessagePath"] == nil { cs[i]["terminationMessagePath"] = "/dev/termination-log" }
                if cs[i]["terminationMessagePolicy"] == nil { cs[i]["terminationMessagePolicy"] = "File" }
                if cs[i]["resources"] == nil { cs[i]["resources"] = .object([:]) }
                if var ports = cs[i]["ports"]?.arrayValue {
                    for j in ports.indices where ports[j].isObject && ports[j]["protocol"] == nil { ports[j]["protocol"] = "TCP" }
                    cs[i]["ports"] = .array(ports)
                }
            }
            spec[field] = .array(cs)
        }
        if spec["restartPolicy"] == nil { spec["restartPolicy"] = .string(restartPolicy) }
        if spec["dnsPolicy"] == nil { spec["dnsPolicy"] = "ClusterFirst" }
        if spec["schedulerName"] == nil { spec["schedulerName"] = "default-scheduler" }
        if spec["securityContext"] == nil { spec["securityContext"] = .object([:]) }
        if spec["terminationGracePeriodSeconds"] == nil { spec["terminationGracePeriodSeconds"] = 30 }
    }

    static func qosClass(_ spec: JSONValue?) -> String {
        let containers = spec?["containers"]?.arrayValue ?? []
        let hasAny = containers.contains {
            ($0["resources"]?["requests"]?.objectValue?.isEmpty == false) || ($0["resources"]?["limits"]?.objectValue?.isEmpty == false)
        }
        if !hasAny { return "BestEffort" }
        let guaranteed = containers.allSatisfy { c in
            guard let l = c["resources"]?["limits"]?.objectValue, l["cpu"] != nil, l["memory"] != nil else { return false }
            let r = c["resources"]?["requests"]?.objectValue ?? l
            return jsonEqual(r["cpu"] ?? l["cpu"]!, l["cpu"]!) && jsonEqual(r["memory"] ?? l["memory"]!, l["memory"]!)
        }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    static func crdStatus(_ obj: inout JSONValue, cluster: KubeCluster) {
        guard var names = obj["spec"]?["names"], names.isObject, let kind = names["kind"]?.stringValue else { return }
        if names["singular"] == nil { names["singular"] = .string(kind.lowercased()) }
        if names["listKind"] == nil { names["listKind"] = .string(kind + "List") }
        obj.setValue(names, at: ["spec", "names"])
        let now = cluster.nowString()
        let conditions: JSONValue = [
            [
                "type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found",
                "lastTransitionTime": .string(now),
            ],
            cluster.options.crdEstablishDelay > 0
                ? [
                    "type": "Established", "status": "False", "reason": "Installing", "message": "the initial names have been accepted",
                    "lastTransitionTime": .string(now),
                ]
                : [
                    "type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted",
                    "lastTransitionTime": .string(now),
                ],
        ]
        let stored = (obj["spec"]?["versions"]?.arrayValue ?? []).filter { $0["storage"]?.boolValue == true }.compactMap { $0["name"] }
        var status = obj["status"]?.objectValue ?? [:]
        if status["conditions"] == nil { status["conditions"] = conditions }
        status["acceptedNames"] = names
        status["storedVersions"] = .array(stored)
        obj["status"] = .object(status)
    }
}

extension KubeCluster {
    func allocateServiceIP() -> String {
        serviceIPCounter += 1
        let n = serviceIPCounter
        return "10.96.\(n / 250).\(n % 250 + 1)"
    }

    func allocatePodIP() -> String {
        podIPCounter += 1
        let n = podIPCounter
        return "10.244.\(n / 250).\(n % 250 + 1)"
    }
}
