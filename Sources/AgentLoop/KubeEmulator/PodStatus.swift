import BrokkrCommon
import Foundation

/// Ready-made pod statuses, for the emulated kubelet and for tests that want a pod in a given state.
/// Each takes the pod (for its containers) and returns a complete `status` object.
public enum KubePodStatus {
    static func hex(_ seed: String, _ n: Int = 64) -> String {
        var out = ""
        var h = fnv1a(seed)
        while out.count < n {
            out += String(format: "%016llx", h)
            h = fnv1a(out + seed)
        }
        return String(out.prefix(n))
    }

    static func containerNames(_ pod: JSONValue, _ field: String = "containers") -> [(String, String)] {
        (pod["spec"]?[field]?.arrayValue ?? []).map { ($0["name"]?.stringValue ?? "", $0["image"]?.stringValue ?? "") }
    }

    static func imageID(_ image: String) -> String {
        let repo = image.split(separator: "@").first.map { $0.split(separator: ":").first.map(String.init) ?? String($0) } ?? image
        return "\(repo.contains("/") ? repo : "docker.io/library/\(repo)")@sha256:\(hex(image))"
    }

    static func conditions(ready: Bool, scheduled: Bool = true, initialized: Bool = true, now: String, unschedulableMessage: String? = nil)
        -> [JSONValue]
    {
        func c(_ type: String, _ ok: Bool, reason: String? = nil, message: String? = nil) -> JSONValue {
            var o: [String: JSONValue] = [
                "type": .string(type), "status": .string(ok ? "True" : "False"), "lastProbeTime": .null, "lastTransitionTime": .string(now),
            ]
            if let reason { o["reason"] = .string(reason) }
            if let message { o["message"] = .string(message) }
            return .object(o)
        }
        if !scheduled {
            return [
                c(
                    "PodScheduled", false, reason: "Unschedulable",
                    message: unschedulableMessage
                        ?? "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
                )
            ]
        }
        return [
            c("PodReadyToStartContainers", true),
            c("Initialized", initialized),
            c("Ready", ready, reason: ready ? nil : "ContainersNotReady", message: ready ? nil : "containers with unready status"),
            c("ContainersReady", ready, reason: ready ? nil : "ContainersNotReady", message: ready ? nil : "containers with unready status"),
            c("PodScheduled", true),
        ]
    }

    static func base(_ pod: JSONValue, phase: String, conditions: [JSONValue], containerStatuses: [JSONValue]?, now: String, podIP: String?)
        -> JSONValue
    {
        var o: [String: JSONValue] = [
            "phase": .string(phase),
            "conditions": .array(conditions),
            "qosClass": .string(Defaults.qosClass(pod["spec"])),
        ]
        if let containerStatuses {
            o["containerStatuses"] = .array(containerStatuses)
            o["hostIP"] = "10.0.0.10"
            o["hostIPs"] = [["ip": "10.0.0.10"]]
            o["startTime"] = pod["status"]?["startTime"] ?? .string(now)
        }
        if let podIP {
            o["podIP"] = .string(podIP)
            o["podIPs"] = [["ip": .string(podIP)]]
        }
        let inits = containerNames(pod, "initContainers")
        if !inits.isEmpty && containerStatuses != nil {
            o["initContainerStatuses"] = .array(
                inits.map { (name, image) in
                    [
                        "name": .string(name), "image": .string(image), "imageID": .string(imageID(image)),
                        "containerID": .string("containerd://" + hex(name + image + "init")), "ready": true, "restartCount": 0, "started": false,
                        "state": [
                            "terminated": [
                                "exitCode": 0, "reason": "Completed", "startedAt": .string(now), "finishedAt": .string(now),
                                "containerID": .string("containerd://" + hex(name + image + "init")),
                            ]
                        ],
                        "lastState": .object([:]),
                    ]
                })
        }
        return .object(o)
    }

    static func podIP(_ pod: JSONValue, _ cluster: KubeCluster?) -> String {
        if let ip = pod["status"]?["podIP"]?.stringValue { return ip }
        return cluster?.allocatePodIP() ?? "10.244.0.100"
    }

    static func running(for pod: JSONValue, cluster: KubeCluster) -> JSONValue {
        running(pod, now: cluster.nowString(), podIP: podIP(pod, cluster))
    }

    static func containerCreating(for pod: JSONValue, cluster: KubeCluster) -> JSONValue {
        waiting(pod, reason: "ContainerCreating", message: nil, now: cluster.nowString())
    }

    /// Running, all containers started and ready.
    public static func running(_ pod: JSONValue, now: String = KubeCluster.format(Date()), podIP: String? = nil) -> JSONValue {
        let statuses: [JSONValue] = containerNames(pod).map { (name, image) in
            [
                "name": .string(name), "image": .string(image), "imageID": .string(imageID(image)),
                "containerID": .string("containerd://" + hex(name + image + (pod["metadata"]?["uid"]?.stringValue ?? ""))),
                "ready": true, "started": true, "restartCount": 0,
                "state": ["running": ["startedAt": .string(now)]], "lastState": .object([:]),
            ]
        }
        return base(
            pod, phase: "Running", conditions: conditions(ready: true, now: now), containerStatuses: statuses, now: now,
            podIP: podIP ?? pod["status"]?["podIP"]?.stringValue ?? "10.244.0.100")
    }

    /// Pending with every container waiting, e.g. `ImagePullBackOff`, `ErrImagePull`, `ContainerCreating`,
    /// `CreateContainerConfigError`. Pass `container` to make only that one wait (others run).
    public static func waiting(
        _ pod: JSONValue, reason: String, message: String? = nil, container: String? = nil, now: String = KubeCluster.format(Date())
    ) -> JSONValue {
        let statuses: [JSONValue] = containerNames(pod).map { (name, image) in
            let waits = container == nil || container == name
            var s: [String: JSONValue] = [
                "name": .string(name), "image": .string(image), "imageID": "", "ready": .bool(!waits), "started": .bool(!waits),
                "restartCount": 0, "lastState": .object([:]),
            ]
            if waits {
                var w: [String: JSONValue] = ["reason": .string(reason)]
                if let message { w["message"] = .string(message) }
                s["state"] = ["waiting": .object(w)]
            } else {
                s["state"] = ["running": ["startedAt": .string(now)]]
                s["imageID"] = .string(imageID(image))
            }
            return .object(s)
        }
        return base(
            pod, phase: "Pending", conditions: conditions(ready: false, now: now), containerStatuses: statuses, now: now,
            podIP: pod["status"]?["podIP"]?.stringValue)
    }

    /// Running but restarting: `CrashLoopBackOff`, with `restartCount` and the last termination
    /// (`lastTerminationReason` "Error" by default, or "OOMKilled").
    public static func crashLoopBackOff(
        _ pod: JSONValue, restartCount: Int = 5, lastTerminationReason: String = "Error", exitCode: Int = 1,
        container: String? = nil, now: String = KubeCluster.format(Date())
    ) -> JSONValue {
        let statuses: [JSONValue] = containerNames(pod).map { (name, image) in
            let crashes = container == nil || container == name
            var s: [String: JSONValue] = [
                "name": .string(name), "image": .string(image), "imageID": .string(imageID(image)),
                "containerID": .string("containerd://" + hex(name + image)),
                "ready": .bool(!crashes), "started": .bool(!crashes), "restartCount": .int(crashes ? Int64(restartCount) : 0),
            ]
            if crashes {
                s["state"] = [
                    "waiting": [
                        "reason": "CrashLoopBackOff",
                        "message": .string(
                            "back-off 5m0s restarting failed container=\(name) pod=\(pod["metadata"]?["name"]?.stringValue ?? "")_\(pod["metadata"]?["namespace"]?.stringValue ?? "")(\(pod["metadata"]?["uid"]?.stringValue ?? ""))"
                        ),
                    ]
                ]
                s["lastState"] = [
                    "terminated": [
                        "exitCode": .int(Int64(exitCode)), "reason": .string(lastTerminationReason), "startedAt": .string(now),
                        "finishedAt": .string(now), "containerID": .string("containerd://" + hex(name + image)),
                    ]
                ]
            } else {
                s["state"] = ["running": ["startedAt": .string(now)]]
                s["lastState"] = .object([:])
            }
            return .object(s)
        }
        return base(
            pod, phase: "Running", conditions: conditions(ready: false, now: now), containerStatuses: statuses, now: now,
            podIP: pod["status"]?["podIP"]?.stringValue ?? "10.244.0.100")
    }

    /// Running and ready again after an OOM kill (`lastState.terminated.reason: OOMKilled`).
    public static func oomKilled(_ pod: JSONValue, restartCount: Int = 1, now: String = KubeCluster.format(Date())) -> JSONValue {
        var st = running(pod, now: now)
        if var cs = st["containerStatuses"]?.arrayValue {
            for i in cs.indices {
                cs[i]["restartCount"] = .int(Int64(restartCount))
                cs[i]["lastState"] = ["terminated": ["exitCode": 137, "reason": "OOMKilled", "startedAt": .string(now), "finishedAt": .string(now)]]
            }
            st["containerStatuses"] = .array(cs)
        }
        return st
    }

    /// Pending and not scheduled (`PodScheduled=False`, reason `Unschedulable`).
    public static func unschedulable(_ pod: JSONValue, message: String? = nil, now: String = KubeCluster.format(Date())) -> JSONValue {
        base(
            pod, phase: "Pending", conditions: conditions(ready: false, scheduled: false, now: now, unschedulableMessage: message),
            containerStatuses: nil, now: now, podIP: nil)
    }

    /// Finished: `Succeeded` (exit 0, reason Completed) or `Failed` (given exit code and reason, "Error" by default).
    public static func terminated(
        _ pod: JSONValue, succeeded: Bool, exitCode: Int? = nil, reason: String? = nil, now: String = KubeCluster.format(Date())
    ) -> JSONValue {
        let code = exitCode ?? (succeeded ? 0 : 1)
        let why = reason ?? (succeeded ? "Completed" : "Error")
        let statuses: [JSONValue] = containerNames(pod).map { (name, image) in
            [
                "name": .string(name), "image": .string(image), "imageID": .string(imageID(image)),
                "containerID": .string("containerd://" + hex(name + image)), "ready": false, "started": false, "restartCount": 0,
                "state": [
                    "terminated": ["exitCode": .int(Int64(code)), "reason": .string(why), "startedAt": .string(now), "finishedAt": .string(now)]
                ],
                "lastState": .object([:]),
            ]
        }
        var st = base(
            pod, phase: succeeded ? "Succeeded" : "Failed", conditions: conditions(ready: false, now: now),
            containerStatuses: statuses, now: now, podIP: pod["status"]?["podIP"]?.stringValue)
        if var conds = st["conditions"]?.arrayValue {
            for i in conds.indices where conds[i]["type"]?.stringValue == "Ready" || conds[i]["type"]?.stringValue == "ContainersReady" {
                conds[i]["reason"] = "PodCompleted"
                conds[i]["message"] = nil
            }
            st["conditions"] = .array(conds)
        }
        return st
    }
}
