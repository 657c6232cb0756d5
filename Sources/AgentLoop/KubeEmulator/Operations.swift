import Foundation

/// A parsed resource URL.
struct ResourceRequest {
    var rt: KubeResourceType
    var namespace: String?
    var name: String?
    var subresource: String?
}

extension KubeCluster {
    // MARK: - Dispatch

    func handleLocked(_ req: KubeRequest) -> KubeResponse {
        let isEmulatorPath = req.path.hasPrefix("/_emulator")
        var response: KubeResponse
        if !isEmulatorPath, let fault = matchFault(req) {
            response = .error(KubeAPIError(code: fault.code, reason: fault.reason, message: fault.message, details: .object([:])))
        } else {
            do {
                response = try route(req)
            } catch let e as KubeAPIError {
                response = .error(e)
            } catch {
                response = .error(KubeAPIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(error)"))
            }
        }
        if !isEmulatorPath {
            recorded.append(
                KubeRecordedRequest(
                    method: req.method, path: req.path, query: req.query, contentType: req.headers["content-type"] ?? "",
                    accept: req.headers["accept"] ?? "", userAgent: req.headers["user-agent"] ?? "",
                    body: req.body.count > 1_000_000 ? "<\(req.body.count) bytes>" : req.bodyText, status: response.status))
            if recorded.count > 100_000 { recorded.removeFirst(10_000) }
        }
        return response
    }

    func matchFault(_ req: KubeRequest) -> KubeFault? {
        for i in faults.indices {
            let f = faults[i]
            if let m = f.method, m != req.method { continue }
            if !f.pathContains.isEmpty && !req.path.contains(f.pathContains) { continue }
            if let t = f.times {
                if t <= 0 { continue }
                faults[i].times = t - 1
            }
            return f
        }
        return nil
    }

    func route(_ req: KubeRequest) throws -> KubeResponse {
        let segs = req.path.split(separator: "/").map(String.init)
        guard let first = segs.first else {
            return .json(200, ["paths": .array(rootPaths().map { .string($0) })])
        }
        switch first {
        case "version" where segs.count == 1:
            return .json(200, versionInfo())
        case "healthz", "livez", "readyz":
            return .text(200, "ok")
        case "api":
            if segs.count == 1 { return .json(200, apiVersionsDocument()) }
            guard segs[1] == "v1" else { throw KubeAPIError.pathNotFound() }
            if segs.count == 2 { return .json(200, resourceListDocument(group: "", version: "v1")) }
            return try serveResource(req, group: "", version: "v1", rest: Array(segs[2...]))
        case "apis":
            if segs.count == 1 { return .json(200, groupListDocument()) }
            if segs.count == 2 {
                guard let g = groupDocument(segs[1]) else { throw KubeAPIError.pathNotFound() }
                return .json(200, g)
            }
            let (g, v) = (segs[1], segs[2])
            guard allTypes.contains(where: { $0.group == g && $0.version == v }) else { throw KubeAPIError.pathNotFound() }
            if segs.count == 3 { return .json(200, resourceListDocument(group: g, version: v)) }
            return try serveResource(req, group: g, version: v, rest: Array(segs[3...]))
        case "openapi":
            if segs.count == 2 && segs[1] == "v3" { return .json(200, openAPIV3Root()) }
            if segs.count >= 3 && segs[1] == "v3", let doc = openAPIV3Document(Array(segs[2...]).joined(separator: "/")) {
                return .json(200, doc)
            }
            throw KubeAPIError.pathNotFound()
        case "_emulator":
            return try serveEmulator(req, Array(segs.dropFirst()))
        default:
            throw KubeAPIError.pathNotFound()
        }
    }

    func rootPaths() -> [String] {
        var paths = ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v3", "/readyz", "/version"]
        for g in Set(allTypes.map { $0.group }) where !g.isEmpty { paths.append("/apis/\(g)") }
        for gv in Set(allTypes.filter { !$0.group.isEmpty }.map { "/apis/\($0.group)/\($0.version)" }) { paths.append(gv) }
        return paths.sorted()
    }

    func versionInfo() -> KubeJSON {
        let v = options.gitVersion.dropFirst().split(separator: ".")
        return [
            "major": .string(v.first.map(String.init) ?? "1"),
            "minor": .string(v.count > 1 ? String(v[1]) : "32"),
            "gitVersion": .string(options.gitVersion),
            "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean",
            "buildDate": "2025-01-01T00:00:00Z",
            "goVersion": "go1.23.6",
            "compiler": "gc",
            "platform": "linux/amd64",
        ]
    }

    func parseResourcePath(group: String, version: String, rest: [String]) throws -> ResourceRequest {
        let gvTypes = allTypes.filter { $0.group == group && $0.version == version }
        if rest.count >= 3, rest[0] == "namespaces", let rt = gvTypes.first(where: { $0.plural == rest[2] && $0.namespaced }) {
            guard rest.count <= 5 else { throw KubeAPIError.pathNotFound() }
            let rr = ResourceRequest(rt: rt, namespace: rest[1], name: rest.count > 3 ? rest[3] : nil, subresource: rest.count > 4 ? rest[4] : nil)
            try checkSubresource(rr)
            return rr
        }
        guard let rt = gvTypes.first(where: { $0.plural == rest[0] }), rest.count <= 3 else { throw KubeAPIError.pathNotFound() }
        if rt.namespaced && rest.count > 1 { throw KubeAPIError.pathNotFound() }
        let rr = ResourceRequest(rt: rt, namespace: nil, name: rest.count > 1 ? rest[1] : nil, subresource: rest.count > 2 ? rest[2] : nil)
        try checkSubresource(rr)
        return rr
    }

    func checkSubresource(_ rr: ResourceRequest) throws {
        guard let sub = rr.subresource else { return }
        switch sub {
        case "status" where rr.rt.hasStatus: return
        case "scale" where rr.rt.hasScale: return
        case "finalize" where rr.rt.plural == "namespaces": return
        default:
            if rr.rt.extraSubresources.contains(sub) { return }
            throw KubeAPIError.pathNotFound()
        }
    }

    func serveResource(_ req: KubeRequest, group: String, version: String, rest: [String]) throws -> KubeResponse {
        let rr = try parseResourcePath(group: group, version: version, rest: rest)
        if req.contentType.contains("protobuf") && !req.body.isEmpty && req.method == "PATCH" {
            // Only JSON (and YAML) bodies are understood; client-go falls back to JSON on 415.
            throw KubeAPIError(
                code: 415, reason: "UnsupportedMediaType",
                message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml")
        }
        let wantsTable = (req.headers["accept"] ?? "").contains("as=Table")
        switch req.method {
        case "GET", "HEAD":
            guard let name = rr.name else {
                let list = try listObjects(rr, req.query)
                return .json(200, wantsTable ? Tables.table(for: rr.rt, list: list, cluster: self, query: req.query) : list)
            }
            switch rr.subresource {
            case nil, "status":
                let obj = try getObject(rr.rt, rr.namespace, name)
                if wantsTable && rr.subresource == nil {
                    return .json(200, Tables.table(for: rr.rt, list: ["items": [obj], "metadata": ["resourceVersion": .string(String(resourceVersion))]], cluster: self, query: req.query))
                }
                return .json(200, obj)
            case "scale":
                return .json(200, scaleObject(try getObject(rr.rt, rr.namespace, name), rr.rt))
            case "log":
                return try podLog(rr, name, req.query)
            default:
                throw KubeAPIError.methodNotAllowed()
            }
        case "POST":
            guard rr.name == nil else { throw KubeAPIError.methodNotAllowed() }
            guard rr.namespace != nil || !rr.rt.namespaced else { throw KubeAPIError.methodNotAllowed() }
            if rr.rt.verbs == ["create"] { return .json(201, try review(rr, req)) }
            let (code, obj) = try createObject(rr, req)
            return .json(code, obj)
        case "PUT":
            guard let name = rr.name, rr.subresource != "log" else { throw KubeAPIError.methodNotAllowed() }
            if rr.subresource == "finalize" {
                let (code, obj) = try replaceObject(ResourceRequest(rt: rr.rt, namespace: nil, name: name, subresource: nil), req)
                return .json(code, obj)
            }
            if rr.subresource == "scale" { return .json(200, try updateScale(rr, name, req, patch: false)) }
            let (code, obj) = try replaceObject(rr, req)
            return .json(code, obj)
        case "PATCH":
            guard let name = rr.name, rr.subresource != "log", rr.subresource != "finalize" else { throw KubeAPIError.methodNotAllowed() }
            if rr.subresource == "scale" { return .json(200, try updateScale(rr, name, req, patch: true)) }
            let (code, obj) = try patchObject(rr, req)
            return .json(code, obj)
        case "DELETE":
            guard rr.subresource == nil else { throw KubeAPIError.methodNotAllowed() }
            if rr.name == nil {
                return .json(200, try deleteCollection(rr, req))
            }
            let (code, obj) = try deleteRequest(rr, req)
            return .json(code, obj)
        default:
            throw KubeAPIError.methodNotAllowed()
        }
    }

    /// Access and identity reviews: the emulator authorizes everything and everyone is an admin.
    func review(_ rr: ResourceRequest, _ req: KubeRequest) throws -> KubeJSON {
        // Protobuf review bodies are not decoded: the answer does not depend on them.
        var obj: KubeJSON = req.contentType.contains("protobuf") ? .object([:]) : try parseBody(req)
        obj["apiVersion"] = .string(rr.rt.apiVersion)
        obj["kind"] = .string(rr.rt.kind)
        if obj["metadata"] == nil { obj["metadata"] = .object([:]) }
        obj.setValue(.string(nowString()), at: ["metadata", "creationTimestamp"])
        if rr.rt.kind == "SelfSubjectReview" {
            obj["status"] = ["userInfo": ["username": "emulator-admin", "groups": ["system:masters", "system:authenticated"]]]
        } else {
            obj["status"] = ["allowed": true, "reason": "the emulator allows every request"]
        }
        return obj
    }

    // MARK: - Read

    func getObject(_ rt: KubeResourceType, _ ns: String?, _ name: String) throws -> KubeJSON {
        guard let obj = stored(rt, KubeObjectKey(namespace: ns, name: name)) else { throw KubeAPIError.notFound(rt, name) }
        return served(obj, rt)
    }

    static let supportedFieldSelectors: [String: Set<String>] = [
        "/pods": ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"],
        "/events": ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
        "/secrets": ["type"],
        "/namespaces": ["status.phase"],
        "/nodes": ["spec.unschedulable"],
        "batch/jobs": ["status.successful"],
        "apps/replicasets": ["status.replicas"],
    ]

    func listObjects(_ rr: ResourceRequest, _ query: [String: String]) throws -> KubeJSON {
        let rt = rr.rt
        var labelSel: KubeLabelSelector?
        if let s = query["labelSelector"], !s.isEmpty {
            do { labelSel = try KubeLabelSelector.parse(s) } catch let e as KubeLabelSelector.ParseError {
                throw KubeAPIError.badRequest("unable to parse requirement: \(e.description)")
            }
        }
        var fieldSel: KubeFieldSelector?
        if let s = query["fieldSelector"], !s.isEmpty {
            do { fieldSel = try KubeFieldSelector.parse(s) } catch let e as KubeFieldSelector.ParseError {
                throw KubeAPIError.badRequest(e.description)
            }
            let allowed = KubeCluster.supportedFieldSelectors[rt.storageKey] ?? []
            for r in fieldSel!.requirements where r.field != "metadata.name" && r.field != "metadata.namespace" && !allowed.contains(r.field) {
                throw KubeAPIError.badRequest("field label not supported: \(r.field)")
            }
        }
        var items: [KubeJSON] = []
        for (k, v) in (objects[rt.storageKey] ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let ns = rr.namespace, rt.namespaced, k.namespace != ns { continue }
            if let labelSel, !labelSel.matches(KubeCluster.labels(of: v)) { continue }
            if let fieldSel {
                var probe = v
                if rt.storageKey == "/events", let c = v["source"]?["component"] { probe["source"] = c }
                if !fieldSel.matches(probe) { continue }
            }
            items.append(served(v, rt))
        }
        return [
            "apiVersion": .string(rt.apiVersion),
            "kind": .string(listKind(rt)),
            "metadata": ["resourceVersion": .string(String(resourceVersion))],
            "items": .array(items),
        ]
    }

    func listKind(_ rt: KubeResourceType) -> String {
        if let crd = rt.crdName, let lk = objects["apiextensions.k8s.io/customresourcedefinitions"]?[KubeObjectKey(namespace: nil, name: crd)]?["spec"]?["names"]?["listKind"]?.stringValue {
            return lk
        }
        return rt.kind + "List"
    }

    func podLog(_ rr: ResourceRequest, _ name: String, _ query: [String: String]) throws -> KubeResponse {
        let pod = try getObject(rr.rt, rr.namespace, name)
        let containers = (pod["spec"]?["containers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let inits = (pod["spec"]?["initContainers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        var container = query["container"] ?? ""
        if container.isEmpty {
            if let def = pod["metadata"]?["annotations"]?["kubectl.kubernetes.io/default-container"]?.stringValue {
                container = def
            } else if containers.count == 1 {
                container = containers[0]
            } else {
                throw KubeAPIError.badRequest("a container name must be specified for pod \(name), choose one of: [\((containers).joined(separator: " "))] or one of the init containers: [\(inits.joined(separator: " "))]")
            }
        }
        guard containers.contains(container) || inits.contains(container) else {
            throw KubeAPIError.badRequest("container \(container) is not valid for pod \(name)")
        }
        let previous = query["previous"] == "true" || query["previous"] == "1"
        let ns = rr.namespace ?? "default"
        var text: String
        if previous {
            guard let t = podLogs[KubeCluster.logKey(ns, name, container, true)] else {
                throw KubeAPIError.badRequest("previous terminated container \"\(container)\" in pod \"\(name)\" not found")
            }
            text = t
        } else {
            text = podLogs[KubeCluster.logKey(ns, name, container, false)] ?? ""
        }
        if let t = query["tailLines"], let n = Int(t), n >= 0 {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let trailingNewline = text.hasSuffix("\n")
            if trailingNewline { lines.removeLast() }
            lines = Array(lines.suffix(n))
            text = lines.joined(separator: "\n") + (trailingNewline && !lines.isEmpty ? "\n" : "")
        }
        if let l = query["limitBytes"], let n = Int(l), n >= 0, text.utf8.count > n {
            text = String(decoding: Array(text.utf8.prefix(n)), as: UTF8.self)
        }
        return .text(200, text)
    }

    // MARK: - Write helpers

    func parseBody(_ req: KubeRequest) throws -> KubeJSON {
        let text = req.bodyText
        if req.contentType.contains("protobuf") {
            do { return try KubeProtobuf.decode(req.body) } catch let e as KubeProtobuf.DecodeError {
                // client-go switches to JSON for later requests after a 415.
                throw KubeAPIError(
                    code: 415, reason: "UnsupportedMediaType",
                    message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (\(e.message))")
            }
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw KubeAPIError.badRequest("the body of the request is empty") }
        if req.contentType.contains("yaml") {
            do { return try KubeJSON.parseYAML(text) } catch { throw KubeAPIError.badRequest("error converting YAML to JSON: \(error)") }
        }
        do { return try KubeJSON.parse(req.body) } catch {
            if let y = try? KubeJSON.parseYAML(text), y.isObject { return y }
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
    func checkIdentity(_ obj: inout KubeJSON, _ rr: ResourceRequest, name: String?, requireTypeMeta: Bool) throws {
        guard obj.isObject else { throw KubeAPIError.badRequest("the body must be a JSON or YAML object") }
        let rt = rr.rt
        if let av = obj["apiVersion"]?.stringValue, !av.isEmpty {
            let (g, _) = KubeCluster.splitAPIVersion(av)
            if g != rt.group || (requireTypeMeta && av != rt.apiVersion) {
                throw KubeAPIError.badRequest("the API version in the data (\(av)) does not match the expected API version (\(rt.apiVersion))")
            }
        } else if requireTypeMeta {
            throw KubeAPIError.badRequest("Object 'apiVersion' is missing in '\(obj.serialized().prefix(200))'")
        }
        if let k = obj["kind"]?.stringValue, !k.isEmpty {
            if k != rt.kind { throw KubeAPIError.badRequest("the kind in the data (\(k)) does not match the expected kind (\(rt.kind))") }
        } else if requireTypeMeta {
            throw KubeAPIError.badRequest("Object 'Kind' is missing in '\(obj.serialized().prefix(200))'")
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
                message: "\(KubeAPIError.qualified(rr.rt)) \"\(name)\" is forbidden: unable to create new content in namespace \(ns) because it is being terminated",
                details: KubeAPIError.details(rr.rt, name: name, extra: ["causes": [["reason": "NamespaceTerminating", "message": .string("namespace \(ns) is being terminated"), "field": "metadata.namespace"]]]))
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
    static func comparable(_ obj: KubeJSON) -> KubeJSON {
        var o = obj
        o.setValue(nil, at: ["metadata", "resourceVersion"])
        if let mf = o["metadata"]?["managedFields"]?.arrayValue {
            o.setValue(.array(mf.map { e in var e = e; e["time"] = nil; return e }), at: ["metadata", "managedFields"])
        }
        return o
    }

    static func specChanged(_ a: KubeJSON, _ b: KubeJSON) -> Bool {
        let skip: Set<String> = ["metadata", "status", "apiVersion", "kind"]
        let ao = (a.objectValue ?? [:]).filter { !skip.contains($0.key) }
        let bo = (b.objectValue ?? [:]).filter { !skip.contains($0.key) }
        return !jsonEqual(.object(ao), .object(bo))
    }

    /// The common tail of every write: fills in server-owned metadata, defaults, validates, bumps generation,
    /// stores (unless dry-run) and runs controllers.
    func finishWrite(
        _ rr: ResourceRequest, name: String, candidate: KubeJSON, live: KubeJSON?, dryRun: Bool
    ) throws -> (Int, KubeJSON) {
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
        obj.setValue(nil, at: ["metadata", "generateName"]) // restored below if it was given
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
                if let ps = schema["properties"]?[k] { obj[k] = Validation.pruneUnknown(v, ps) }
                else if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue != true && schema["properties"] != nil { obj[k] = nil }
            }
        }
        Defaults.apply(&obj, rt, isCreate: isCreate, cluster: self)
        let errs = Validation.validate(obj, rt)
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
    func afterWrite(_ rt: KubeResourceType, _ obj: KubeJSON) {
        if rt.storageKey == "apiextensions.k8s.io/customresourcedefinitions" { refreshCRDTypes() }
        let key = KubeCluster.key(of: obj)
        if obj["metadata"]?["deletionTimestamp"] != nil, (obj["metadata"]?["finalizers"]?.arrayValue ?? []).isEmpty {
            if rt.plural != "namespaces" { _ = deleteObject(rt, key, policy: "Background") }
        }
        runControllers()
    }

    // MARK: - Create

    func createObject(_ rr: ResourceRequest, _ req: KubeRequest) throws -> (Int, KubeJSON) {
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

    func replaceObject(_ rr: ResourceRequest, _ req: KubeRequest) throws -> (Int, KubeJSON) {
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
        if let rv = obj["metadata"]?["resourceVersion"]?.stringValue, !rv.isEmpty, rv != live["metadata"]?["resourceVersion"]?.stringValue {
            throw KubeAPIError.staleResourceVersion(rr.rt, name)
        }
        if let uid = obj["metadata"]?["uid"]?.stringValue, !uid.isEmpty, uid != live["metadata"]?["uid"]?.stringValue {
            throw KubeAPIError.conflict(rr.rt, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(live["metadata"]?["uid"]?.stringValue ?? "")")
        }
        if obj["metadata"]?["managedFields"] == nil {
            obj.setValue(live["metadata"]?["managedFields"], at: ["metadata", "managedFields"])
        }
        var candidate = obj
        if rr.subresource == "status" {
            candidate = live
            candidate["status"] = obj["status"]
        } else if rr.rt.hasStatus {
            candidate["status"] = live["status"]
        }
        let tracked = FieldManager.update(
            live: live, new: candidate, manager: fieldManagerName(req), apiVersion: rr.rt.apiVersion, subresource: rr.subresource,
            cursor: cursor(for: rr.rt), topLevel: topLevelFilter(rr.rt, subresource: rr.subresource), now: nowString())
        return try finishWrite(rr, name: name, candidate: tracked, live: live, dryRun: dryRun)
    }

    // MARK: - Patch

    func patchObject(_ rr: ResourceRequest, _ req: KubeRequest) throws -> (Int, KubeJSON) {
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
        let patch: KubeJSON
        do { patch = try KubeJSON.parse(req.body) } catch { throw KubeAPIError.badRequest("error decoding patch: \(error)") }
        var patched: KubeJSON
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
                    message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
            }
            patched = Merge.strategicMerge(base, patch) ?? base
        case "application/json-patch+json":
            do { patched = try Merge.jsonPatch(base, patch) } catch let e as PatchError {
                if e.invalid {
                    throw KubeAPIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: \(e.message)")
                }
                throw KubeAPIError.badRequest(e.message)
            }
        default:
            throw KubeAPIError.unsupportedMediaType(ct)
        }
        guard patched.isObject else { throw KubeAPIError.badRequest("patch did not produce an object") }
        try checkIdentity(&patched, rr, name: name, requireTypeMeta: false)
        if let rv = patched["metadata"]?["resourceVersion"]?.stringValue, !rv.isEmpty, rv != live["metadata"]?["resourceVersion"]?.stringValue {
            throw KubeAPIError.staleResourceVersion(rr.rt, name)
        }
        if let uid = patched["metadata"]?["uid"]?.stringValue, uid != live["metadata"]?["uid"]?.stringValue {
            throw KubeAPIError.conflict(rr.rt, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(live["metadata"]?["uid"]?.stringValue ?? "")")
        }
        var candidate = patched
        if rr.subresource == "status" {
            candidate = live
            candidate["status"] = patched["status"]
        } else if rr.rt.hasStatus {
            candidate["status"] = live["status"]
        }
        if candidate["metadata"]?["managedFields"] == nil {
            candidate.setValue(live["metadata"]?["managedFields"], at: ["metadata", "managedFields"])
        }
        let tracked = FieldManager.update(
            live: live, new: candidate, manager: fieldManagerName(req), apiVersion: rr.rt.apiVersion, subresource: rr.subresource,
            cursor: cursor(for: rr.rt), topLevel: topLevelFilter(rr.rt, subresource: rr.subresource), now: nowString())
        return try finishWrite(rr, name: name, candidate: tracked, live: live, dryRun: dryRun)
    }

    // MARK: - Server-side apply

    func applyObject(_ rr: ResourceRequest, _ name: String, _ req: KubeRequest) throws -> (Int, KubeJSON) {
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
        var config: KubeJSON
        let text = req.bodyText
        if let j = try? KubeJSON.parse(req.body) {
            config = j
        } else {
            do { config = try KubeJSON.parseYAML(text) } catch { throw KubeAPIError.badRequest("error decoding YAML: \(error)") }
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
        let merged: KubeJSON
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

    func scaleObject(_ obj: KubeJSON, _ rt: KubeResourceType) -> KubeJSON {
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

    func updateScale(_ rr: ResourceRequest, _ name: String, _ req: KubeRequest, patch: Bool) throws -> KubeJSON {
        let key = KubeObjectKey(namespace: rr.namespace, name: name)
        guard let live = stored(rr.rt, key) else { throw KubeAPIError.notFound(rr.rt, name) }
        let current = scaleObject(live, rr.rt)
        var scale: KubeJSON
        if patch {
            let body = try KubeJSON.parse(req.body)
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

    // MARK: - Delete

    struct DeleteOptions {
        var policy: String?
        var dryRun = false
        var preconditionUID: String?
        var preconditionRV: String?
    }

    func deleteOptions(_ req: KubeRequest) throws -> DeleteOptions {
        var o = DeleteOptions()
        if !req.body.isEmpty, let body = try? KubeJSON.parse(req.body), body.isObject {
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
            throw KubeAPIError(code: 422, reason: "Invalid", message: "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"\(p)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"")
        }
        return o
    }

    /// The propagation policy a DELETE without one gets (batch/v1 Jobs orphan their pods, as the real API does).
    func defaultPolicy(_ rt: KubeResourceType) -> String {
        rt.storageKey == "batch/jobs" ? "Orphan" : "Background"
    }

    func deleteRequest(_ rr: ResourceRequest, _ req: KubeRequest) throws -> (Int, KubeJSON) {
        guard let name = rr.name else { throw KubeAPIError.methodNotAllowed() }
        let opts = try deleteOptions(req)
        let key = KubeObjectKey(namespace: rr.rt.namespaced ? rr.namespace : nil, name: name)
        guard let live = stored(rr.rt, key) else { throw KubeAPIError.notFound(rr.rt, name) }
        if let uid = opts.preconditionUID, uid != live["metadata"]?["uid"]?.stringValue {
            throw KubeAPIError.conflict(rr.rt, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(live["metadata"]?["uid"]?.stringValue ?? "")")
        }
        if let rv = opts.preconditionRV, rv != live["metadata"]?["resourceVersion"]?.stringValue {
            throw KubeAPIError.conflict(rr.rt, name, "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(live["metadata"]?["resourceVersion"]?.stringValue ?? "")")
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

    func successStatus(_ rt: KubeResourceType, _ name: String, _ obj: KubeJSON) -> KubeJSON {
        var details: [String: KubeJSON] = ["name": .string(name), "kind": .string(rt.plural)]
        if !rt.group.isEmpty { details["group"] = .string(rt.group) }
        if let uid = obj["metadata"]?["uid"] { details["uid"] = uid }
        return ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Success", "details": .object(details)]
    }

    struct Remaining {
        var object: KubeJSON
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
                obj.setValue(.array([
                    ["type": "NamespaceDeletionContentFailure", "status": "False", "reason": "ContentDeleted", "message": "All content successfully deleted, may be waiting on finalization", "lastTransitionTime": .string(nowString())],
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
                guard let refs = o["metadata"]?["ownerReferences"]?.arrayValue, refs.contains(where: { $0["uid"]?.stringValue == uid }) else { continue }
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

    func deleteCollection(_ rr: ResourceRequest, _ req: KubeRequest) throws -> KubeJSON {
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

    // MARK: - CRDs

    /// Rebuilds the served custom resource types from the stored CRDs.
    func refreshCRDTypes() {
        var types: [KubeResourceType] = []
        let crds = objects["apiextensions.k8s.io/customresourcedefinitions"] ?? [:]
        for (_, crd) in crds.sorted(by: { $0.key < $1.key }) {
            guard crd["metadata"]?["deletionTimestamp"] == nil,
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

    // MARK: - Emulator-only endpoints

    func serveEmulator(_ req: KubeRequest, _ segs: [String]) throws -> KubeResponse {
        switch (req.method, segs.first ?? "") {
        case ("GET", "requests"):
            return .json(200, .array(recorded.map { $0.asJSON }))
        case ("DELETE", "requests"):
            recorded.removeAll()
            return .json(200, ["status": "Success"])
        case ("PUT", "logs"), ("POST", "logs"):
            guard segs.count == 4 else { throw KubeAPIError.badRequest("use /_emulator/logs/{namespace}/{pod}/{container}") }
            let previous = req.query["previous"] == "true"
            if req.query["append"] == "true" {
                podLogs[KubeCluster.logKey(segs[1], segs[2], segs[3], previous), default: ""] += req.bodyText
            } else {
                podLogs[KubeCluster.logKey(segs[1], segs[2], segs[3], previous)] = req.bodyText
            }
            return .json(200, ["status": "Success"])
        case ("POST", "objects"), ("PUT", "objects"):
            return .json(200, try putLocked(try parseBody(req)))
        case ("POST", "faults"):
            let f = try parseBody(req)
            faults.append(
                KubeFault(
                    method: f["method"]?.stringValue, pathContains: f["pathContains"]?.stringValue ?? "",
                    code: Int(f["code"]?.intValue ?? 500), reason: f["reason"]?.stringValue ?? "InternalError",
                    message: f["message"]?.stringValue ?? "injected failure", times: f["times"]?.intValue.map { Int($0) }))
            return .json(200, ["status": "Success"])
        case ("DELETE", "faults"):
            faults.removeAll()
            return .json(200, ["status": "Success"])
        default:
            throw KubeAPIError.pathNotFound()
        }
    }
}
