import BrokkrCommon
import Foundation

/// Deletes: options, finalizers, namespaces, propagation to dependents.
extension KubeCluster {
    struct DeleteOptions {
        var policy: String?
        var dryRun = false
        var preconditionUID: String?
        var preconditionRV: String?
    }

    func deleteOptions(_ req: KubeRequest) throws -> DeleteOptions {
        var o = DeleteOptions()
        if !req.body.isEmpty, let body = try? JSONValue.parse(req.body), body.isObject {
            o.policy = body["propagationPolicy"]?.stringValue
            if body["orphanDependents"]?.boolValue == true { o.policy = o.policy ?? "Orphan" }
            if let d = body["dryRun"]?.arrayValue, d.contains("All") { o.dryRun = true }
            o.preconditionUID = body["preconditions"]?["uid"]?.stringValue
            o.preconditionRV = body["preconditions"]?["resourceVersion"]?.stringValue
        }
        if let p = req.query["propagationPolicy"], !p.isEmpty { o.policy = p }
        if req.query["orphanDependents"] == "true" { o.policy = o.policy ?? "Orphan" }
        if try isDryRun(req.query) { o.dryRun = true }
        if let p = o.policy, !["Orphan", "Background", "Foreground"].contains(p) {
            throw KubeAPIError(
                code: 422, reason: "Invalid",
                message:
                    "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"\(p)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
            )
        }
        return o
    }

    /// The propagation policy a DELETE without one gets (batch/v1 Jobs orphan their pods, as the real API does).
    func defaultPolicy(_ rt: KubeResourceType) -> String {
        rt.storageKey == "batch/jobs" ? "Orphan" : "Background"
    }

    func deleteRequest(_ rr: ResourceRequest, _ req: KubeRequest) throws -> (Int, JSONValue) {
        guard let name = rr.name else { throw KubeAPIError.methodNotAllowed() }
        let opts = try deleteOptions(req)
        let key = KubeObjectKey(namespace: rr.rt.namespaced ? rr.namespace : nil, name: name)
        guard let live = stored(rr.rt, key) else { throw KubeAPIError.notFound(rr.rt, name) }
        if let uid = opts.preconditionUID, uid != live["metadata"]?["uid"]?.stringValue {
            throw KubeAPIError.conflict(
                rr.rt, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(live["metadata"]?["uid"]?.stringValue ?? "")")
        }
        if let rv = opts.preconditionRV, rv != live["metadata"]?["resourceVersion"]?.stringValue {
            throw KubeAPIError.conflict(
                rr.rt, name,
                "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(live["metadata"]?["resourceVersion"]?.stringValue ?? "")"
            )
        }
        if rr.rt.plural == "namespaces" && ["default", "kube-system", "kube-public"].contains(name) {
            throw KubeAPIError.forbidden(rr.rt, name, "this namespace may not be deleted")
        }
        if opts.dryRun {
            var o = live
            if rr.rt.plural == "namespaces" || rr.rt.plural == "pods" || !(live["metadata"]?["finalizers"]?.arrayValue ?? []).isEmpty {
                o.setValue(.string(nowString()), at: ["metadata", "deletionTimestamp"])
                return (200, served(o, rr.rt))
            }
            return (200, successStatus(rr.rt, name, live))
        }
        let policy = opts.policy ?? defaultPolicy(rr.rt)
        let result = deleteObject(rr.rt, key, policy: policy)
        runControllers()
        if let remaining = result {
            return (200, served(remaining.object, rr.rt))
        }
        if rr.rt.plural == "pods" || rr.rt.plural == "namespaces" {
            var o = live
            o.setValue(.string(nowString()), at: ["metadata", "deletionTimestamp"])
            if rr.rt.plural == "pods" { o.setValue(.int(0), at: ["metadata", "deletionGracePeriodSeconds"]) }
            if rr.rt.plural == "namespaces" { o.setValue(.string("Terminating"), at: ["status", "phase"]) }
            return (200, served(o, rr.rt))
        }
        return (200, successStatus(rr.rt, name, live))
    }

    func successStatus(_ rt: KubeResourceType, _ name: String, _ obj: JSONValue) -> JSONValue {
        var details: [String: JSONValue] = ["name": .string(name), "kind": .string(rt.plural)]
        if !rt.group.isEmpty { details["group"] = .string(rt.group) }
        if let uid = obj["metadata"]?["uid"] { details["uid"] = uid }
        return ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Success", "details": .object(details)]
    }

    struct Remaining {
        var object: JSONValue
        var pendingFinalizers: Bool
    }

    /// Deletes an object: honours finalizers (the object stays, marked for deletion), empties namespaces,
    /// removes a CRD's custom resources, and garbage-collects or orphans dependents.
    /// Returns the object if it still exists afterwards.
    func deleteObject(_ rt: KubeResourceType, _ key: KubeObjectKey, policy: String) -> Remaining? {
        guard var obj = objects[rt.storageKey]?[key] else { return nil }
        let uid = obj["metadata"]?["uid"]?.stringValue ?? ""
        let finalizers = obj["metadata"]?["finalizers"]?.arrayValue ?? []
        if rt.plural == "namespaces" {
            if obj["metadata"]?["deletionTimestamp"] == nil {
                obj.setValue(.string(nowString()), at: ["metadata", "deletionTimestamp"])
                obj.setValue(.int(0), at: ["metadata", "deletionGracePeriodSeconds"])
                obj.setValue(.string("Terminating"), at: ["status", "phase"])
                obj.setValue(
                    .array([
                        [
                            "type": "NamespaceDeletionContentFailure", "status": "False", "reason": "ContentDeleted",
                            "message": "All content successfully deleted, may be waiting on finalization", "lastTransitionTime": .string(nowString()),
                        ]
                    ]), at: ["status", "conditions"])
                obj = commit(rt.storageKey, key, obj)
                if options.namespaceDeletionDelay > 0 {
                    namespaceDeadlines[key.name] = Date().addingTimeInterval(options.namespaceDeletionDelay)
                    return Remaining(object: obj, pendingFinalizers: true)
                }
            } else if namespaceDeadlines[key.name] != nil {
                return Remaining(object: obj, pendingFinalizers: true)
            }
            emptyNamespace(key.name)
            if namespaceIsEmpty(key.name) && finalizers.isEmpty {
                removeStored(rt.storageKey, key)
                return nil
            }
            return Remaining(object: objects[rt.storageKey]?[key] ?? obj, pendingFinalizers: true)
        }
        if !finalizers.isEmpty {
            if obj["metadata"]?["deletionTimestamp"] == nil {
                obj.setValue(.string(nowString()), at: ["metadata", "deletionTimestamp"])
                obj.setValue(.int(0), at: ["metadata", "deletionGracePeriodSeconds"])
                obj = commit(rt.storageKey, key, obj)
                handleDependents(uid: uid, policy: policy)
            }
            return Remaining(object: obj, pendingFinalizers: true)
        }
        if policy == "Foreground" { handleDependents(uid: uid, policy: policy) }
        removeStored(rt.storageKey, key)
        if rt.storageKey == "apiextensions.k8s.io/customresourcedefinitions" {
            refreshCRDTypes()
        }
        for k in podLogs.keys where rt.plural == "pods" && k.hasPrefix("\(key.namespace)/\(key.name)/") { podLogs[k] = nil }
        if policy != "Foreground" { handleDependents(uid: uid, policy: policy) }
        return nil
    }

    /// Deletes (Background/Foreground) or orphans (Orphan) every object that has `uid` as an owner.
    func handleDependents(uid: String, policy: String) {
        guard !uid.isEmpty else { return }
        for (storageKey, objs) in objects {
            for (k, o) in objs {
                guard let refs = o["metadata"]?["ownerReferences"]?.arrayValue, refs.contains(where: { $0["uid"]?.stringValue == uid }) else {
                    continue
                }
                if policy == "Orphan" {
                    var updated = o
                    let rest = refs.filter { $0["uid"]?.stringValue != uid }
                    updated.setValue(rest.isEmpty ? nil : .array(rest), at: ["metadata", "ownerReferences"])
                    commit(storageKey, k, updated)
                } else if let drt = preferredType(storageKey: storageKey) {
                    _ = deleteObject(drt, k, policy: "Background")
                }
            }
        }
    }

    func emptyNamespace(_ ns: String) {
        for (storageKey, objs) in objects {
            guard let rt = preferredType(storageKey: storageKey), rt.namespaced else { continue }
            for k in objs.keys where k.namespace == ns {
                if objects[storageKey]?[k]?["metadata"]?["deletionTimestamp"] != nil { continue }
                _ = deleteObject(rt, k, policy: "Background")
            }
        }
    }

    func namespaceIsEmpty(_ ns: String) -> Bool {
        for (storageKey, objs) in objects where storageKey != "/namespaces" {
            if objs.keys.contains(where: { $0.namespace == ns }) { return false }
        }
        return true
    }

    func deleteCollection(_ rr: ResourceRequest, _ req: KubeRequest) throws -> JSONValue {
        let opts = try deleteOptions(req)
        let list = try listObjects(rr, req.query)
        let items = list["items"]?.arrayValue ?? []
        if !opts.dryRun {
            for item in items {
                let key = KubeCluster.key(of: item)
                if rr.rt.plural == "namespaces" && ["default", "kube-system", "kube-public"].contains(key.name) { continue }
                _ = deleteObject(rr.rt, key, policy: opts.policy ?? defaultPolicy(rr.rt))
            }
            runControllers()
        }
        var out = list
        out.setValue(.string(String(resourceVersion)), at: ["metadata", "resourceVersion"])
        return out
    }
}
