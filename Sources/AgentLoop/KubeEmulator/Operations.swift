import BrokkrCommon
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

    func versionInfo() -> JSONValue {
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
                    return .json(
                        200,
                        Tables.table(
                            for: rr.rt, list: ["items": [obj], "metadata": ["resourceVersion": .string(String(resourceVersion))]], cluster: self,
                            query: req.query))
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
    func review(_ rr: ResourceRequest, _ req: KubeRequest) throws -> JSONValue {
        // Protobuf review bodies are not decoded: the answer does not depend on them.
        var obj: JSONValue = req.contentType.contains("protobuf") ? .object([:]) : try parseBody(req)
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

    func getObject(_ rt: KubeResourceType, _ ns: String?, _ name: String) throws -> JSONValue {
        guard let obj = stored(rt, KubeObjectKey(namespace: ns, name: name)) else { throw KubeAPIError.notFound(rt, name) }
        return served(obj, rt)
    }

    static let supportedFieldSelectors: [String: Set<String>] = [
        "/pods": [
            "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
            "status.podIP", "status.podIPs", "status.nominatedNodeName",
        ],
        "/events": [
            "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
            "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
        ],
        "/secrets": ["type"],
        "/namespaces": ["status.phase"],
        "/nodes": ["spec.unschedulable"],
        "batch/jobs": ["status.successful"],
        "apps/replicasets": ["status.replicas"],
    ]

    func listObjects(_ rr: ResourceRequest, _ query: [String: String]) throws -> JSONValue {
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
        var items: [JSONValue] = []
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
        if let crd = rt.crdName,
            let lk = objects["apiextensions.k8s.io/customresourcedefinitions"]?[KubeObjectKey(namespace: nil, name: crd)]?["spec"]?["names"]?[
                "listKind"]?.stringValue
        {
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
                throw KubeAPIError.badRequest(
                    "a container name must be specified for pod \(name), choose one of: [\((containers).joined(separator: " "))] or one of the init containers: [\(inits.joined(separator: " "))]"
                )
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
}
