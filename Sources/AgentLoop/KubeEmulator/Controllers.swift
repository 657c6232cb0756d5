import Foundation

/// The emulated control loops: a kubelet that starts pods, workload controllers that keep pods for
/// Deployments/ReplicaSets/StatefulSets/DaemonSets/Jobs (pods are owned directly by the workload: there
/// is no ReplicaSet layer under Deployments), the namespace finalizer and the service-account controller.
/// They run synchronously after every write until nothing changes.
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

    static func templateHash(_ template: KubeJSON?) -> String {
        var h = fnv1a((template ?? .null).serialized())
        var out = ""
        for _ in 0..<10 {
            out.append(safeAlphabet[Int(h % UInt64(safeAlphabet.count))])
            h /= UInt64(safeAlphabet.count)
        }
        return out
    }

    /// Writes a new status for an object if it differs from the stored one.
    @discardableResult
    func writeStatus(_ storageKey: String, _ key: KubeObjectKey, _ status: KubeJSON, manager: String = "kube-controller-manager") -> Bool {
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

    func ownedPods(_ owner: KubeJSON) -> [(KubeObjectKey, KubeJSON)] {
        guard let uid = owner["metadata"]?["uid"]?.stringValue else { return [] }
        let ns = owner["metadata"]?["namespace"]?.stringValue ?? ""
        return (objects["/pods"] ?? [:]).filter { k, p in
            k.namespace == ns && p["metadata"]?["deletionTimestamp"] == nil
                && (p["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains { $0["uid"]?.stringValue == uid && $0["controller"]?.boolValue == true }
        }.sorted { $0.key < $1.key }
    }

    static func skipsControllers(_ obj: KubeJSON) -> Bool {
        obj["metadata"]?["annotations"]?[skipControllersAnnotation]?.stringValue == "true"
    }

    static func isReady(_ pod: KubeJSON) -> Bool {
        (pod["status"]?["conditions"]?.arrayValue ?? []).contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
    }

    static func ownerRef(_ owner: KubeJSON) -> KubeJSON {
        [
            "apiVersion": owner["apiVersion"] ?? "v1", "kind": owner["kind"] ?? "", "name": owner["metadata"]?["name"] ?? "",
            "uid": owner["metadata"]?["uid"] ?? "", "controller": true, "blockOwnerDeletion": true,
        ]
    }

    // MARK: - Namespaces

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

    // MARK: - Kubelet

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
            let fresh = status?["conditions"] == nil && status?["containerStatuses"] == nil
                && (status?["phase"]?.stringValue ?? "Pending") == "Pending"
            guard fresh else { continue }
            let newStatus = options.autoRunPods ? KubePodStatus.running(for: p, cluster: self) : KubePodStatus.containerCreating(for: p, cluster: self)
            writeStatus("/pods", k, newStatus, manager: "kubelet")
            changed = true
            if options.generateEvents {
                let name = k.name
                _ = emitEvent(namespace: k.namespace, kind: "Pod", name: name, apiVersion: "v1", uid: p["metadata"]?["uid"]?.stringValue,
                              reason: "Scheduled", message: "Successfully assigned \(k.namespace)/\(name) to \(nodeName ?? "node")",
                              type: "Normal", component: "default-scheduler")
                if options.autoRunPods {
                    for c in p["spec"]?["containers"]?.arrayValue ?? [] {
                        let cn = c["name"]?.stringValue ?? ""
                        _ = emitEvent(namespace: k.namespace, kind: "Pod", name: name, apiVersion: "v1", uid: p["metadata"]?["uid"]?.stringValue,
                                      reason: "Started", message: "Started container \(cn)", type: "Normal", component: "kubelet")
                    }
                }
            }
        }
        return changed
    }

    // MARK: - Deployments, ReplicaSets, StatefulSets, DaemonSets

    func reconcileWorkloads() -> Bool {
        var changed = false
        for storageKey in ["apps/deployments", "apps/replicasets", "apps/statefulsets", "apps/daemonsets"] {
            for (k, w) in (objects[storageKey] ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard w["metadata"]?["deletionTimestamp"] == nil, w["spec"]?["template"]?.isObject == true, !KubeCluster.skipsControllers(w) else { continue }
                if reconcileWorkload(storageKey, k, w) { changed = true }
            }
        }
        return changed
    }

    func reconcileWorkload(_ storageKey: String, _ key: KubeObjectKey, _ w: KubeJSON) -> Bool {
        var changed = false
        let kind = w["kind"]?.stringValue ?? ""
        let name = key.name
        let template = w["spec"]?["template"] ?? .object([:])
        let hash = KubeCluster.templateHash(template)
        let desired: Int
        if kind == "DaemonSet" {
            desired = (objects["/nodes"] ?? [:]).count
        } else {
            desired = Int(w["spec"]?["replicas"]?.intValue ?? 1)
        }
        let hashLabel: String? = switch kind {
        case "Deployment": "pod-template-hash"
        case "StatefulSet", "DaemonSet": "controller-revision-hash"
        default: nil
        }
        let hashValue = kind == "StatefulSet" ? "\(name)-\(hash)" : hash
        var pods = ownedPods(w)
        // Pods of an older template go (a rolling update collapsed into one step).
        if let hashLabel {
            for (pk, p) in pods where p["metadata"]?["labels"]?[hashLabel]?.stringValue != hashValue {
                _ = deleteObject(preferredType(storageKey: "/pods")!, pk, policy: "Background")
                changed = true
            }
            pods = ownedPods(w)
        }
        if pods.count > desired {
            let extra = kind == "StatefulSet"
                ? pods.sorted { ordinal($0.0.name) > ordinal($1.0.name) }.prefix(pods.count - desired)
                : pods.reversed().prefix(pods.count - desired)
            for (pk, _) in extra { _ = deleteObject(preferredType(storageKey: "/pods")!, pk, policy: "Background") }
            changed = true
            pods = ownedPods(w)
        }
        if pods.count < desired {
            var existingOrdinals = Set(pods.map { ordinal($0.0.name) })
            for _ in pods.count..<desired {
                var labels = template["metadata"]?["labels"]?.objectValue ?? [:]
                if let hashLabel { labels[hashLabel] = .string(hashValue) }
                let podName: String
                switch kind {
                case "Deployment": podName = "\(name)-\(hash)-\(randomSuffix())"
                case "StatefulSet":
                    var i = 0
                    while existingOrdinals.contains(i) { i += 1 }
                    existingOrdinals.insert(i)
                    podName = "\(name)-\(i)"
                    labels["statefulset.kubernetes.io/pod-name"] = .string(podName)
                    labels["apps.kubernetes.io/pod-index"] = .string(String(i))
                default: podName = "\(name)-\(randomSuffix())"
                }
                var spec = template["spec"] ?? .object([:])
                if kind == "StatefulSet" {
                    spec["hostname"] = .string(podName)
                    if let svc = w["spec"]?["serviceName"] { spec["subdomain"] = svc }
                }
                var meta: [String: KubeJSON] = [
                    "name": .string(podName), "namespace": .string(key.namespace), "labels": .object(labels),
                    "ownerReferences": [KubeCluster.ownerRef(w)],
                ]
                if kind == "Deployment" { meta["generateName"] = .string("\(name)-\(hash)-") }
                if let ann = template["metadata"]?["annotations"] { meta["annotations"] = ann }
                systemCreate(["apiVersion": "v1", "kind": "Pod", "metadata": .object(meta), "spec": spec])
                if options.generateEvents {
                    _ = emitEvent(namespace: key.namespace, kind: kind, name: name, apiVersion: "apps/v1", uid: w["metadata"]?["uid"]?.stringValue,
                                  reason: "SuccessfulCreate", message: "Created pod: \(podName)", type: "Normal", component: "\(kind.lowercased())-controller")
                }
            }
            changed = true
            pods = ownedPods(w)
        }
        let total = Int64(pods.count)
        let ready = Int64(pods.filter { KubeCluster.isReady($0.1) }.count)
        let updated = Int64(pods.filter { hashLabel == nil || $0.1["metadata"]?["labels"]?[hashLabel!]?.stringValue == hashValue }.count)
        let generation = w["metadata"]?["generation"] ?? 1
        let old = w["status"]
        var status: [String: KubeJSON] = ["observedGeneration": generation]
        switch kind {
        case "Deployment":
            status["replicas"] = .int(total)
            status["updatedReplicas"] = .int(updated)
            if ready > 0 {
                status["readyReplicas"] = .int(ready)
                status["availableReplicas"] = .int(ready)
            }
            if Int64(desired) - ready > 0 { status["unavailableReplicas"] = .int(Int64(desired) - ready) }
            let maxUnavailable = Int64(Double(desired) * 0.25)
            let available = ready >= Int64(desired) - maxUnavailable
            let complete = updated == Int64(desired) && ready == Int64(desired) && total == Int64(desired)
            status["conditions"] = .array([
                condition(old, type: "Available", status: available ? "True" : "False",
                          reason: available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                          message: available ? "Deployment has minimum availability." : "Deployment does not have minimum availability."),
                condition(old, type: "Progressing", status: "True",
                          reason: complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                          message: complete ? "ReplicaSet \"\(name)-\(hash)\" has successfully progressed." : "ReplicaSet \"\(name)-\(hash)\" is progressing."),
            ])
        case "ReplicaSet":
            status["replicas"] = .int(total)
            status["fullyLabeledReplicas"] = .int(total)
            if ready > 0 {
                status["readyReplicas"] = .int(ready)
                status["availableReplicas"] = .int(ready)
            }
        case "StatefulSet":
            status["replicas"] = .int(total)
            status["currentReplicas"] = .int(updated)
            status["updatedReplicas"] = .int(updated)
            status["readyReplicas"] = .int(ready)
            status["availableReplicas"] = .int(ready)
            status["currentRevision"] = .string(hashValue)
            status["updateRevision"] = .string(hashValue)
            status["collisionCount"] = 0
        case "DaemonSet":
            status["currentNumberScheduled"] = .int(total)
            status["desiredNumberScheduled"] = .int(Int64(desired))
            status["numberMisscheduled"] = 0
            status["numberReady"] = .int(ready)
            status["numberAvailable"] = .int(ready)
            status["updatedNumberScheduled"] = .int(updated)
            if Int64(desired) - ready > 0 { status["numberUnavailable"] = .int(Int64(desired) - ready) }
        default:
            break
        }
        if writeStatus(storageKey, key, .object(status)) { changed = true }
        return changed
    }

    func ordinal(_ podName: String) -> Int {
        Int(podName.split(separator: "-").last ?? "") ?? -1
    }

    /// A condition that keeps its old timestamps when its status and reason are unchanged.
    func condition(_ oldStatus: KubeJSON?, type: String, status: String, reason: String, message: String) -> KubeJSON {
        let now = nowString()
        if let old = (oldStatus?["conditions"]?.arrayValue ?? []).first(where: { $0["type"]?.stringValue == type }),
            old["status"]?.stringValue == status, old["reason"]?.stringValue == reason, old["message"]?.stringValue == message
        {
            return old
        }
        return [
            "type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
            "lastUpdateTime": .string(now), "lastTransitionTime": .string(now),
        ]
    }

    // MARK: - Jobs

    func reconcileJobs() -> Bool {
        var changed = false
        for (k, job) in (objects["batch/jobs"] ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard job["metadata"]?["deletionTimestamp"] == nil, !KubeCluster.skipsControllers(job) else { continue }
            let conditions = job["status"]?["conditions"]?.arrayValue ?? []
            let finished = conditions.contains {
                ($0["type"]?.stringValue == "Complete" || $0["type"]?.stringValue == "Failed") && $0["status"]?.stringValue == "True"
            }
            if finished { continue }
            let suspended = job["spec"]?["suspend"]?.boolValue == true
            let completions = job["spec"]?["completions"]?.intValue ?? 1
            let parallelism = job["spec"]?["parallelism"]?.intValue ?? 1
            let backoffLimit = job["spec"]?["backoffLimit"]?.intValue ?? 6
            var pods = ownedPods(job)
            func phase(_ p: KubeJSON) -> String { p["status"]?["phase"]?.stringValue ?? "Pending" }
            var succeeded = Int64(pods.filter { phase($0.1) == "Succeeded" }.count)
            var failed = Int64(pods.filter { phase($0.1) == "Failed" }.count)
            var active = pods.filter { phase($0.1) != "Succeeded" && phase($0.1) != "Failed" }
            var status = job["status"]?.objectValue ?? [:]
            let now = nowString()
            var newConditions = conditions
            if !suspended && succeeded < completions && failed <= backoffLimit {
                let want = min(parallelism, completions - succeeded)
                if Int64(active.count) < want {
                    for _ in Int64(active.count)..<want {
                        let labels = job["spec"]?["template"]?["metadata"]?["labels"] ?? .object([:])
                        var meta: [String: KubeJSON] = [
                            "name": .string("\(k.name)-\(randomSuffix())"), "namespace": .string(k.namespace), "labels": labels,
                            "ownerReferences": [KubeCluster.ownerRef(job)], "generateName": .string("\(k.name)-"),
                        ]
                        if let ann = job["spec"]?["template"]?["metadata"]?["annotations"] { meta["annotations"] = ann }
                        let pod = systemCreate(["apiVersion": "v1", "kind": "Pod", "metadata": .object(meta), "spec": job["spec"]?["template"]?["spec"] ?? .object([:])])
                        if options.generateEvents, let pn = pod?["metadata"]?["name"]?.stringValue {
                            _ = emitEvent(namespace: k.namespace, kind: "Job", name: k.name, apiVersion: "batch/v1", uid: job["metadata"]?["uid"]?.stringValue,
                                          reason: "SuccessfulCreate", message: "Created pod: \(pn)", type: "Normal", component: "job-controller")
                        }
                    }
                    changed = true
                    pods = ownedPods(job)
                    succeeded = Int64(pods.filter { phase($0.1) == "Succeeded" }.count)
                    failed = Int64(pods.filter { phase($0.1) == "Failed" }.count)
                    active = pods.filter { phase($0.1) != "Succeeded" && phase($0.1) != "Failed" }
                }
                if status["startTime"] == nil { status["startTime"] = .string(now) }
            }
            if succeeded >= completions {
                newConditions.append(["type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods", "lastProbeTime": .string(now), "lastTransitionTime": .string(now)])
                newConditions.append(["type": "Complete", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods", "lastProbeTime": .string(now), "lastTransitionTime": .string(now)])
                status["completionTime"] = .string(now)
                if options.generateEvents {
                    _ = emitEvent(namespace: k.namespace, kind: "Job", name: k.name, apiVersion: "batch/v1", uid: job["metadata"]?["uid"]?.stringValue,
                                  reason: "Completed", message: "Job completed", type: "Normal", component: "job-controller")
                }
            } else if failed > backoffLimit {
                newConditions.append(["type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastProbeTime": .string(now), "lastTransitionTime": .string(now)])
                newConditions.append(["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastProbeTime": .string(now), "lastTransitionTime": .string(now)])
            } else if suspended, !conditions.contains(where: { $0["type"]?.stringValue == "Suspended" }) {
                newConditions.append(["type": "Suspended", "status": "True", "reason": "JobSuspended", "message": "Job suspended", "lastProbeTime": .string(now), "lastTransitionTime": .string(now)])
            }
            if !newConditions.isEmpty { status["conditions"] = .array(newConditions) }
            status["active"] = active.isEmpty ? nil : .int(Int64(active.count))
            status["succeeded"] = succeeded == 0 ? nil : .int(succeeded)
            status["failed"] = failed == 0 ? nil : .int(failed)
            status["ready"] = .int(Int64(active.filter { KubeCluster.isReady($0.1) }.count))
            status["terminating"] = 0
            status["uncountedTerminatedPods"] = .object([:])
            if writeStatus("batch/jobs", k, .object(status)) { changed = true }
        }
        return changed
    }
}

enum Workloads {
    static func nodeObject(name: String, now: String, version: String) -> KubeJSON {
        let resources: KubeJSON = ["cpu": "4", "memory": "16Gi", "pods": "110", "ephemeral-storage": "100Gi"]
        return [
            "apiVersion": "v1", "kind": "Node",
            "metadata": [
                "name": .string(name),
                "labels": [
                    "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                    "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64", "node-role.kubernetes.io/control-plane": "",
                ],
            ],
            "spec": ["podCIDR": "10.244.0.0/24", "podCIDRs": ["10.244.0.0/24"]],
            "status": [
                "conditions": [
                    ["type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory", "message": "kubelet has sufficient memory available", "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now)],
                    ["type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure", "message": "kubelet has no disk pressure", "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now)],
                    ["type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID", "message": "kubelet has sufficient PID available", "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now)],
                    ["type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status", "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now)],
                ],
                "addresses": [["type": "InternalIP", "address": "10.0.0.10"], ["type": "Hostname", "address": .string(name)]],
                "capacity": resources, "allocatable": resources,
                "nodeInfo": [
                    "kubeletVersion": .string(version), "kubeProxyVersion": .string(version), "osImage": "Brokkr Kube Emulator",
                    "containerRuntimeVersion": "containerd://1.7.0", "architecture": "amd64", "operatingSystem": "linux",
                    "kernelVersion": "6.1.0", "machineID": "", "systemUUID": "", "bootID": "",
                ],
            ],
        ]
    }
}
