import BrokkrCommon
import Foundation

/// Writes: create, replace, patch, server-side apply and scale, with their shared tail.
extension KubeCluster {
    func parseBody(_ req: KubeRequest) throws -> JSONValue {
        let text = req.bodyText
        if req.contentType.contains("protobuf") {
            do { return try KubeProtobuf.decode(req.body) } catch let e as KubeProtobuf.DecodeError {
                // client-go switches to JSON for later requests after a 415.
                throw KubeAPIError(
                    code: 415, reason: "UnsupportedMediaType",
                    message:
                        "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (\(e.message))"
                )
            }
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw KubeAPIError.badRequest("the body of the request is empty") }
        if req.contentType.contains("yaml") {
            do { return try JSONValue.parseYAML(text) } catch { throw KubeAPIError.badRequest("error converting YAML to JSON: \(error)") }
        }
        do { return try JSONValue.parse(req.body) } catch {
            if let y = try? JSONValue.parseYAML(text), y.isObject { return y }
            throw KubeAPIError.badRequest("couldn't get version/kind; json parse error: \(error)")
        }
    }

    func isDryRun(_ query: [String: String]) throws -> Bool {
        guard let d = query["dryRun"], !d.isEmpty else { return false }
        guard d == "All" else { throw KubeAPIError.badRequest("Invalid dry run value: \(d)") }
        return true
    }

    func fieldManagerName(_ req: KubeRequest) -> String {
        if let m = req.query["fieldManager"], !m.isEmpty { return m }
        let ua = req.headers["user-agent"] ?? ""
        let prefix = ua.split(separator: "/").first.map(String.init) ?? ""
        return prefix.isEmpty ? "unknown" : String(prefix.prefix(128))
    }

    /// Checks the body's identity against the URL: kind/apiVersion, name and namespace.
    func checkIdentity(_ obj: inout JSONValue, _ rr: ResourceRequest, name: String?, requireTypeMeta: Bool) throws {
        guard obj.isObject else { throw KubeAPIError.badRequest("the body must be a JSON or YAML object") }
        let rt = rr.rt
        if let av = obj["apiVersion"]?.stringValue, !av.isEmpty {
            let (g, _) = KubeCluster.splitAPIVersion(av)
            if g != rt.group || (requireTypeMeta && av != rt.apiVersion) {
                throw KubeAPIError.badRequest("the API version in the data (\(av)) does not match the expected API version (\(rt.apiVersion))")
            }
        } else if requireTypeMeta {
            throw KubeAPIError.badRequest("Object 'apiVersion' is missing in '\(obj.kubeSerialized().prefix(200))'")
        }
        if let k = obj["kind"]?.stringValue, !k.isEmpty {
            if k != rt.kind { throw KubeAPIError.badRequest("the kind in the data (\(k)) does not match the expected kind (\(rt.kind))") }
        } else if requireTypeMeta {
            throw KubeAPIError.badRequest("Object 'Kind' is missing in '\(obj.kubeSerialized().prefix(200))'")
        }
        obj["apiVersion"] = .string(rt.apiVersion)
        obj["kind"] = .string(rt.kind)
        if obj["metadata"] == nil || obj["metadata"]!.isNull { obj["metadata"] = .object([:]) }
        guard obj["metadata"]!.isObject else { throw KubeAPIError.badRequest("metadata must be an object") }
        if let name, let bodyName = obj["metadata"]?["name"]?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw KubeAPIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if rt.namespaced, let ns = rr.namespace, let bodyNS = obj["metadata"]?["namespace"]?.stringValue, !bodyNS.isEmpty, bodyNS != ns {
            throw KubeAPIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
    }

    func checkNamespaceForCreate(_ rr: ResourceRequest, _ name: String) throws {
        guard rr.rt.namespaced, let ns = rr.namespace else { return }
        guard namespaceExists(ns) else { throw KubeAPIError.namespaceNotFound(ns) }
        if namespaceTerminating(ns) {
            throw KubeAPIError(
                code: 403, reason: "Forbidden",
                message:
                    "\(KubeAPIError.qualified(rr.rt)) \"\(name)\" is forbidden: unable to create new content in namespace \(ns) because it is being terminated",
                details: KubeAPIError.details(
                    rr.rt, name: name,
                    extra: [
                        "causes": [
                            [
                                "reason": "NamespaceTerminating", "message": .string("namespace \(ns) is being terminated"),
                                "field": "metadata.namespace",
                            ]
                        ]
                    ]))
        }
    }

    func topLevelFilter(_ rt: KubeResourceType, subresource: String?) -> (String) -> Bool {
        if subresource == "status" { return { $0 == "status" } }
        let hasStatus = rt.hasStatus
        return { $0 != "apiVersion" && $0 != "kind" && !(hasStatus && $0 == "status") }
    }

    func cursor(for rt: KubeResourceType) -> SchemaCursor {
        rt.crdName == nil ? .builtin : .schema(rt.schema)
    }

    /// Fields that change on every write and must not count when deciding whether a write changed anything.
    static func comparable(_ obj: JSONValue) -> JSONValue {
        var o = obj
        o.setValue(nil, at: ["metadata", "resourceVersion"])
        if let mf = o["metadata"]?["managedFields"]?.arrayValue {
            o.setValue(
                .array(
                    mf.map { e in
                        var e = e
                        e["time"] = nil
                        return e
                    }), at: ["metadata", "managedFields"])
        }
        return o
    }

    static func specChanged(_ a: JSONValue, _ b: JSONValue) -> Bool {
        let skip: Set<String> = ["metadata", "status", "apiVersion", "kind"]
        let ao = (a.objectValue ?? [:]).filter { !skip.contains($0.key) }
        let bo = (b.objectValue ?? [:]).filter { !skip.contains($0.key) }
        return !jsonEqual(.object(ao), .object(bo))
    }

    /// The common tail of every write: fills in server-owned metadata, defaults, validates, bumps generation,
    /// stores (unless dry-run) and runs controllers.
    func finishWrite(
        _ rr: ResourceRequest, name: String, candidate: JSONValue, live: JSONValue?, dryRun: Bool
    ) throws -> (Int, JSONValue) {
        let rt = rr.rt
        let isCreate = live == nil
        var obj = candidate
        if rr.subresource == "status", let live {
            var o = live
            o["status"] = candidate["status"]
            o.setValue(candidate["metadata"]?["managedFields"], at: ["metadata", "managedFields"])
            obj = o
        }
        obj["apiVersion"] = .string(rt.apiVersion)
        obj["kind"] = .string(rt.kind)
        obj.setValue(.string(name), at: ["metadata", "name"])
        obj.setValue(nil, at: ["metadata", "generateName"])  // restored below if it was given
        if let gn = candidate["metadata"]?["generateName"] { obj.setValue(gn, at: ["metadata", "generateName"]) }
        obj.setValue(rt.namespaced ? .string(rr.namespace ?? "default") : nil, at: ["metadata", "namespace"])
        obj.setValue(nil, at: ["metadata", "selfLink"])
        if let live {
            for f in ["uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds"] {
                obj.setValue(live["metadata"]?[f], at: ["metadata", f])
            }
            if rr.subresource == nil && rt.hasStatus { obj["status"] = live["status"] }
        } else {
            obj.setValue(.string(newUID()), at: ["metadata", "uid"])
            obj.setValue(.string(nowString()), at: ["metadata", "creationTimestamp"])
            obj.setValue(.int(1), at: ["metadata", "generation"])
            obj.setValue(nil, at: ["metadata", "deletionTimestamp"])
            obj.setValue(nil, at: ["metadata", "deletionGracePeriodSeconds"])
            if rt.hasStatus { obj["status"] = nil }
        }
        if let schema = rt.schema {
            for (k, v) in obj.objectValue ?? [:] where !["apiVersion", "kind", "metadata"].contains(k) {
                if let ps = schema["properties"]?[k] {
                    obj[k] = Validation.pruneUnknown(v, ps)
                } else if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue != true && schema["properties"] != nil {
                    obj[k] = nil
                }
            }
        }
        if let live { Immutability.carryAllocated(from: live, into: &obj, rt) }
        Defaults.apply(&obj, rt, isCreate: isCreate, cluster: self)
        var errs = Validation.validate(obj, rt)
        if let live, rr.subresource == nil { errs += Immutability.violations(live: live, obj: obj, rt) }
        if !errs.isEmpty { throw KubeAPIError.invalid(rt, name, errs) }
        if let live {
            if KubeCluster.specChanged(live, obj) {
                obj.setValue(.int((live["metadata"]?["generation"]?.intValue ?? 1) + 1), at: ["metadata", "generation"])
            }
            if jsonEqual(KubeCluster.comparable(live), KubeCluster.comparable(obj)) {
                return (200, served(live, rt))
            }
        }
        if dryRun {
            if isCreate { obj.setValue(nil, at: ["metadata", "resourceVersion"]) }
            return (isCreate ? 201 : 200, served(obj, rt))
        }
        let key = KubeObjectKey(namespace: rt.namespaced ? rr.namespace : nil, name: name)
        let result = commit(rt.storageKey, key, obj)
        afterWrite(rt, result)
        return (isCreate ? 201 : 200, served(result, rt))
    }

    /// Follow-up work of a committed write: CRD registration, finishing deletions whose finalizers are gone,
    /// controllers.
    func afterWrite(_ rt: KubeResourceType, _ obj: JSONValue) {
        if rt.storageKey == "apiextensions.k8s.io/customresourcedefinitions" { refreshCRDTypes() }
        let key = KubeCluster.key(of: obj)
        if obj["metadata"]?["deletionTimestamp"] != nil, (obj["metadata"]?["finalizers"]?.arrayValue ?? []).isEmpty {
            if rt.plural != "namespaces" { _ = deleteObject(rt, key, policy: "Background") }
        }
        runControllers()
    }

    // MARK: - Create

    func createObject(_ rr: ResourceRequest, _ req: KubeRequest) throws -> (Int, JSONValue) {
        var obj = try parseBody(req)
        try checkIdentity(&obj, rr, name: nil, requireTypeMeta: false)
        let dryRun = try isDryRun(req.query)
        var name = obj["metadata"]?["name"]?.stringValue ?? ""
        if name.isEmpty, let gn = obj["metadata"]?["generateName"]?.stringValue, !gn.isEmpty {
            name = gn + randomSuffix()
        }
        if name.isEmpty { throw KubeAPIError.invalid(rr.rt, "", [.required("metadata.name", "name or generateName is required")]) }
        try checkNamespaceForCreate(rr, name)
        if stored(rr.rt, KubeObjectKey(namespace: rr.rt.namespaced ? rr.namespace : nil, name: name)) != nil {
            throw KubeAPIError.alreadyExists(rr.rt, name)
        }
        obj.setValue(nil, at: ["metadata", "resourceVersion"])
        obj.setValue(.string(name), at: ["metadata", "name"])
        if rr.rt.hasStatus { obj["status"] = nil }
        obj.setValue(nil, at: ["metadata", "managedFields"])
        let tracked = FieldManager.update(
            live: nil, new: obj, manager: fieldManagerName(req), apiVersion: rr.rt.apiVersion, subresource: nil,
            cursor: cursor(for: rr.rt), topLevel: topLevelFilter(rr.rt, subresource: nil), now: nowString())
        return try finishWrite(rr, name: name, candidate: tracked, live: nil, dryRun: dryRun)
    }

    // MARK: - Replace

    func replaceObject(_ rr: ResourceRequest, _ req: KubeRequest) throws -> (Int, JSONValue) {
        guard let name = rr.name else { throw KubeAPIError.methodNotAllowed() }
        var obj = try parseBody(req)
        try checkIdentity(&obj, rr, name: name, requireTypeMeta: false)
        let dryRun = try isDryRun(req.query)
        let key = KubeObjectKey(namespace: rr.rt.namespaced ? rr.namespace : nil, name: name)
        guard let live = stored(rr.rt, key) else {
            if rr.subresource == nil, rr.rt.plural == "events" || rr.rt.plural == "leases" {
                return try createObject(rr, req)
            }
            throw KubeAPIError.notFound(rr.rt, name)
        }
        let tracked = try updateCandidate(obj, live: live, rr, name: name, req, emptyUIDIsUnset: true)
        return try finishWrite(rr, name: name, candidate: tracked, live: live, dryRun: dryRun)
    }

    /// What a replace or a patch writes over `live`: the preconditions in `changed` checked (its
    /// resourceVersion and uid, when set, must be the live ones), the status from the side the request
    /// may write (the status subresource writes only status; the main resource keeps the live status),
    /// the live managed fields unless the request set its own, and field ownership tracked. A replace
    /// treats an empty uid as unset; a patch that sets uid to "" fails the precondition.
    func updateCandidate(
        _ changed: JSONValue, live: JSONValue, _ rr: ResourceRequest, name: String, _ req: KubeRequest, emptyUIDIsUnset: Bool
    ) throws -> JSONValue {
        let liveUID = live["metadata"]?["uid"]?.stringValue
        if let rv = changed["metadata"]?["resourceVersion"]?.stringValue, !rv.isEmpty, rv != live["metadata"]?["resourceVersion"]?.stringValue {
            throw KubeAPIError.staleResourceVersion(rr.rt, name)
        }
        if let uid = changed["metadata"]?["uid"]?.stringValue, !(uid.isEmpty && emptyUIDIsUnset), uid != liveUID {
            throw KubeAPIError.conflict(rr.rt, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(liveUID ?? "")")
        }
        var candidate = changed
        if rr.subresource == "status" {
            candidate = live
            candidate["status"] = changed["status"]
        } else if rr.rt.hasStatus {
            candidate["status"] = live["status"]
        }
        if candidate["metadata"]?["managedFields"] == nil {
            candidate.setValue(live["metadata"]?["managedFields"], at: ["metadata", "managedFields"])
        }
        return FieldManager.update(
            live: live, new: candidate, manager: fieldManagerName(req), apiVersion: rr.rt.apiVersion, subresource: rr.subresource,
            cursor: cursor(for: rr.rt), topLevel: topLevelFilter(rr.rt, subresource: rr.subresource), now: nowString())
    }

    // MARK: - Patch

    func patchObject(_ rr: ResourceRequest, _ req: KubeRequest) throws -> (Int, JSONValue) {
        guard let name = rr.name else { throw KubeAPIError.methodNotAllowed() }
        let ct = req.contentType
        if ct == "application/apply-patch+yaml" || ct == "application/apply-patch+json" {
            return try applyObject(rr, name, req)
        }
        if req.query["force"] != nil {
            throw KubeAPIError.badRequest("force is only allowed with apply patch")
        }
        let dryRun = try isDryRun(req.query)
        let key = KubeObjectKey(namespace: rr.rt.namespaced ? rr.namespace : nil, name: name)
        guard let live = stored(rr.rt, key) else { throw KubeAPIError.notFound(rr.rt, name) }
        let patch: JSONValue
        do { patch = try JSONValue.parse(req.body) } catch { throw KubeAPIError.badRequest("error decoding patch: \(error)") }
        var patched: JSONValue
        let base = served(live, rr.rt)
        switch ct {
        case "application/merge-patch+json":
            guard patch.isObject else { throw KubeAPIError.badRequest("merge patch must be a JSON object") }
            patched = Merge.mergePatch(base, patch)
        case "application/strategic-merge-patch+json":
            guard patch.isObject else { throw KubeAPIError.badRequest("strategic merge patch must be a JSON object") }
            if rr.rt.crdName != nil {
                throw KubeAPIError(
                    code: 415, reason: "UnsupportedMediaType",
                    message:
                        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
                )
            }
            patched = Merge.strategicMerge(base, patch) ?? base
        case "application/json-patch+json":
            do { patched = try Merge.jsonPatch(base, patch) } catch let e as PatchError {
                if e.invalid {
                    throw KubeAPIError(
                        code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: \(e.message)")
                }
                throw KubeAPIError.badRequest(e.message)
            }
        default:
            throw KubeAPIError.unsupportedMediaType(ct)
        }
        guard patched.isObject else { throw KubeAPIError.badRequest("patch did not produce an object") }
        try checkIdentity(&patched, rr, name: name, requireTypeMeta: false)
        let tracked = try updateCandidate(patched, live: live, rr, name: name, req, emptyUIDIsUnset: false)
        return try finishWrite(rr, name: name, candidate: tracked, live: live, dryRun: dryRun)
    }

    // MARK: - Server-side apply

    func applyObject(_ rr: ResourceRequest, _ name: String, _ req: KubeRequest) throws -> (Int, JSONValue) {
        guard let manager = req.query["fieldManager"], !manager.isEmpty else {
            throw KubeAPIError.badRequest("PATCH requests for apply must include a fieldManager (fieldManager is required for apply requests)")
        }
        let force: Bool
        switch req.query["force"] {
        case nil, "", "false", "0": force = false
        case "true", "1": force = true
        case let other?: throw KubeAPIError.badRequest("invalid force value \(other)")
        }
        let dryRun = try isDryRun(req.query)
        var config: JSONValue
        let text = req.bodyText
        if let j = try? JSONValue.parse(req.body) {
            config = j
        } else {
            do { config = try JSONValue.parseYAML(text) } catch { throw KubeAPIError.badRequest("error decoding YAML: \(error)") }
        }
        guard config.isObject else { throw KubeAPIError.badRequest("apply patch must be an object") }
        if let av = config["apiVersion"]?.stringValue, !av.isEmpty, av != rr.rt.apiVersion {
            throw KubeAPIError.badRequest("Incorrect version specified in apply patch. Specified patch version: \(av), expected: \(rr.rt.apiVersion)")
        }
        try checkIdentity(&config, rr, name: name, requireTypeMeta: true)
        if let rv = config["metadata"]?["resourceVersion"]?.stringValue, !rv.isEmpty {
            let key = KubeObjectKey(namespace: rr.rt.namespaced ? rr.namespace : nil, name: name)
            if rv != stored(rr.rt, key)?["metadata"]?["resourceVersion"]?.stringValue {
                throw KubeAPIError.staleResourceVersion(rr.rt, name)
            }
        }
        if config["metadata"]?["managedFields"] != nil {
            throw KubeAPIError.badRequest("metadata.managedFields must be nil")
        }
        let key = KubeObjectKey(namespace: rr.rt.namespaced ? rr.namespace : nil, name: name)
        let live = stored(rr.rt, key)
        if live == nil {
            if rr.subresource != nil { throw KubeAPIError.notFound(rr.rt, name) }
            try checkNamespaceForCreate(rr, name)
        }
        let merged: JSONValue
        do {
            merged = try FieldManager.apply(
                live: live.map { served($0, rr.rt) }, config: config, manager: manager, force: force, apiVersion: rr.rt.apiVersion,
                subresource: rr.subresource, cursor: cursor(for: rr.rt), topLevel: topLevelFilter(rr.rt, subresource: rr.subresource),
                now: nowString())
        } catch {
            throw KubeAPIError(
                code: 409, reason: "Conflict", message: error.message,
                details: ["causes": .array(error.causes)])
        }
        return try finishWrite(rr, name: name, candidate: merged, live: live, dryRun: dryRun)
    }

    // MARK: - Scale

    func scaleObject(_ obj: JSONValue, _ rt: KubeResourceType) -> JSONValue {
        var selector = ""
        if let sel = KubeLabelSelector.fromObject(obj["spec"]?["selector"]) { selector = sel.stringValue }
        return [
            "apiVersion": "autoscaling/v1", "kind": "Scale",
            "metadata": [
                "name": obj["metadata"]?["name"] ?? "", "namespace": obj["metadata"]?["namespace"] ?? "",
                "uid": obj["metadata"]?["uid"] ?? "", "resourceVersion": obj["metadata"]?["resourceVersion"] ?? "",
                "creationTimestamp": obj["metadata"]?["creationTimestamp"] ?? .null,
            ],
            "spec": ["replicas": obj["spec"]?["replicas"] ?? 0],
            "status": ["replicas": obj["status"]?["replicas"] ?? 0, "selector": .string(selector)],
        ]
    }

    func updateScale(_ rr: ResourceRequest, _ name: String, _ req: KubeRequest, patch: Bool) throws -> JSONValue {
        let key = KubeObjectKey(namespace: rr.namespace, name: name)
        guard let live = stored(rr.rt, key) else { throw KubeAPIError.notFound(rr.rt, name) }
        let current = scaleObject(live, rr.rt)
        var scale: JSONValue
        if patch {
            let body = try JSONValue.parse(req.body)
            switch req.contentType {
            case "application/json-patch+json": scale = try Merge.jsonPatch(current, body)
            case "application/apply-patch+yaml": scale = Merge.mergePatch(current, body)
            default: scale = Merge.mergePatch(current, body)
            }
        } else {
            scale = try parseBody(req)
        }
        guard let replicas = scale["spec"]?["replicas"]?.intValue else {
            throw KubeAPIError(code: 422, reason: "Invalid", message: "Scale.autoscaling \"\(name)\" is invalid: spec.replicas: Required value")
        }
        var candidate = live
        candidate.setValue(.int(replicas), at: ["spec", "replicas"])
        let tracked = FieldManager.update(
            live: live, new: candidate, manager: fieldManagerName(req), apiVersion: rr.rt.apiVersion, subresource: "scale",
            cursor: cursor(for: rr.rt), topLevel: topLevelFilter(rr.rt, subresource: nil), now: nowString())
        let (_, obj) = try finishWrite(
            ResourceRequest(rt: rr.rt, namespace: rr.namespace, name: name, subresource: nil), name: name, candidate: tracked,
            live: live, dryRun: try isDryRun(req.query))
        return scaleObject(obj, rr.rt)
    }
}
