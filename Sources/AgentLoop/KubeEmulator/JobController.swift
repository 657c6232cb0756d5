import BrokkrCommon
import Foundation

/// The Job controller: pods up to parallelism/completions, conditions on completion or back-off.
extension KubeCluster {
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
            func phase(_ p: JSONValue) -> String { p["status"]?["phase"]?.stringValue ?? "Pending" }
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
                        var meta: [String: JSONValue] = [
                            "name": .string("\(k.name)-\(randomSuffix())"), "namespace": .string(k.namespace), "labels": labels,
                            "ownerReferences": [KubeCluster.ownerRef(job)], "generateName": .string("\(k.name)-"),
                        ]
                        if let ann = job["spec"]?["template"]?["metadata"]?["annotations"] { meta["annotations"] = ann }
                        let pod = systemCreate([
                            "apiVersion": "v1", "kind": "Pod", "metadata": .object(meta), "spec": job["spec"]?["template"]?["spec"] ?? .object([:]),
                        ])
                        if options.generateEvents, let pn = pod?["metadata"]?["name"]?.stringValue {
                            _ = emitEvent(
                                namespace: k.namespace, kind: "Job", name: k.name, apiVersion: "batch/v1", uid: job["metadata"]?["uid"]?.stringValue,
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
                newConditions.append([
                    "type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached",
                    "message": "Reached expected number of succeeded pods", "lastProbeTime": .string(now), "lastTransitionTime": .string(now),
                ])
                newConditions.append([
                    "type": "Complete", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods",
                    "lastProbeTime": .string(now), "lastTransitionTime": .string(now),
                ])
                status["completionTime"] = .string(now)
                if options.generateEvents {
                    _ = emitEvent(
                        namespace: k.namespace, kind: "Job", name: k.name, apiVersion: "batch/v1", uid: job["metadata"]?["uid"]?.stringValue,
                        reason: "Completed", message: "Job completed", type: "Normal", component: "job-controller")
                }
            } else if failed > backoffLimit {
                newConditions.append([
                    "type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded",
                    "message": "Job has reached the specified backoff limit", "lastProbeTime": .string(now), "lastTransitionTime": .string(now),
                ])
                newConditions.append([
                    "type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit",
                    "lastProbeTime": .string(now), "lastTransitionTime": .string(now),
                ])
            } else if suspended, !conditions.contains(where: { $0["type"]?.stringValue == "Suspended" }) {
                newConditions.append([
                    "type": "Suspended", "status": "True", "reason": "JobSuspended", "message": "Job suspended", "lastProbeTime": .string(now),
                    "lastTransitionTime": .string(now),
                ])
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
