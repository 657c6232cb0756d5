import BrokkrCommon
import Foundation

/// The library API tests use to read and change the cluster directly.
extension KubeCluster {
    /// Answers one API request (the HTTP server calls this; tests may too).
    public func handle(_ request: KubeRequest) -> KubeResponse {
        lock.withLock {
            finishDueWork()
            return handleLocked(request)
        }
    }

    /// Finishes every pending namespace deletion and CRD establishment now and runs the controllers, so
    /// that the state no longer changes by itself.
    public func settle() {
        lock.withLock {
            for k in namespaceDeadlines.keys { namespaceDeadlines[k] = .distantPast }
            for k in crdEstablishDeadlines.keys { crdEstablishDeadlines[k] = .distantPast }
            finishDueWork()
            runControllers()
        }
    }

    /// Called periodically by the server: finishes namespace deletions and CRD establishments that are due.
    public func tick() {
        lock.withLock { finishDueWork() }
    }

    /// Whether a namespace deletion or a CRD establishment is still pending.
    public var hasPendingWork: Bool { lock.withLock { !namespaceDeadlines.isEmpty || !crdEstablishDeadlines.isEmpty } }

    /// The work that waits for a point in time rather than for a request.
    func finishDueWork() {
        finishDueNamespaceDeletions()
        finishDueCRDEstablishment()
    }

    func finishDueNamespaceDeletions() {
        guard !namespaceDeadlines.isEmpty else { return }
        let now = Date()
        var any = false
        for (ns, deadline) in namespaceDeadlines where deadline <= now {
            namespaceDeadlines[ns] = nil
            emptyNamespace(ns)
            any = true
        }
        if any { runControllers() }
    }

    /// The object stored under apiVersion/kind/namespace/name, as served at that version.
    public func get(apiVersion: String, kind: String, namespace: String? = nil, name: String) -> JSONValue? {
        lock.withLock {
            finishDueWork()
            guard let rt = resourceType(apiVersion: apiVersion, kind: kind) else { return nil }
            return stored(rt, KubeObjectKey(namespace: rt.namespaced ? (namespace ?? "default") : nil, name: name)).map { served($0, rt) }
        }
    }

    /// All objects of a kind, optionally in one namespace and matching a label selector.
    public func list(apiVersion: String, kind: String, namespace: String? = nil, labelSelector: String? = nil) -> [JSONValue] {
        lock.withLock {
            finishDueWork()
            guard let rt = resourceType(apiVersion: apiVersion, kind: kind) else { return [] }
            let sel = labelSelector.flatMap { try? KubeLabelSelector.parse($0) }
            return (objects[rt.storageKey] ?? [:]).sorted { $0.key < $1.key }.compactMap { (k, v) -> JSONValue? in
                if let namespace, rt.namespaced, k.namespace != namespace { return nil }
                if let sel, !sel.matches(KubeCluster.labels(of: v)) { return nil }
                return served(v, rt)
            }
        }
    }

    /// Stores an object as given (create or replace), including its `status`, bypassing validation and
    /// field management; metadata (uid, resourceVersion, creationTimestamp, generation) is filled in.
    /// Controllers then run. The namespace must exist for namespaced kinds.
    @discardableResult
    public func put(_ object: JSONValue) throws -> JSONValue {
        try lock.withLock { try putLocked(object) }
    }

    func putLocked(_ object: JSONValue) throws -> JSONValue {
        do {
            guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue else {
                throw KubeAPIError.badRequest("apiVersion and kind are required")
            }
            guard let rt = resourceType(apiVersion: apiVersion, kind: kind) else {
                throw KubeAPIError(code: 404, reason: "NotFound", message: "no resource serves \(apiVersion) \(kind)")
            }
            guard let name = object["metadata"]?["name"]?.stringValue, !name.isEmpty else {
                throw KubeAPIError.badRequest("metadata.name is required")
            }
            var o = object
            if rt.namespaced {
                let ns = o["metadata"]?["namespace"]?.stringValue ?? "default"
                guard namespaceExists(ns) else { throw KubeAPIError.namespaceNotFound(ns) }
                o.setValue(.string(ns), at: ["metadata", "namespace"])
            } else {
                o.setValue(nil, at: ["metadata", "namespace"])
            }
            let key = KubeCluster.key(of: o)
            let live = stored(rt, key)
            o.setValue(live?["metadata"]?["uid"] ?? .string(newUID()), at: ["metadata", "uid"])
            o.setValue(live?["metadata"]?["creationTimestamp"] ?? .string(nowString()), at: ["metadata", "creationTimestamp"])
            if o["metadata"]?["generation"] == nil {
                o.setValue(live?["metadata"]?["generation"] ?? .int(1), at: ["metadata", "generation"])
            }
            if o["metadata"]?["managedFields"] == nil, let mf = live?["metadata"]?["managedFields"] {
                o.setValue(mf, at: ["metadata", "managedFields"])
            }
            let status = o["status"]
            Defaults.apply(&o, rt, isCreate: live == nil, cluster: self)
            if let status { o["status"] = status }
            let result = commit(rt.storageKey, key, o)
            afterWrite(rt, result)
            return served(objects[rt.storageKey]?[key] ?? result, rt)
        }
    }

    /// Replaces the `status` of an object (like a PUT to `/status` that skips validation), then runs controllers.
    @discardableResult
    public func setStatus(apiVersion: String, kind: String, namespace: String? = nil, name: String, status: JSONValue) throws -> JSONValue {
        try lock.withLock {
            guard let rt = resourceType(apiVersion: apiVersion, kind: kind) else {
                throw KubeAPIError(code: 404, reason: "NotFound", message: "no resource serves \(apiVersion) \(kind)")
            }
            let key = KubeObjectKey(namespace: rt.namespaced ? (namespace ?? "default") : nil, name: name)
            guard var o = stored(rt, key) else { throw KubeAPIError.notFound(rt, name) }
            o["status"] = status
            let result = commit(rt.storageKey, key, o)
            afterWrite(rt, result)
            return served(objects[rt.storageKey]?[key] ?? result, rt)
        }
    }

    /// Deletes an object with the given propagation policy (Background by default), as the API would.
    public func delete(apiVersion: String, kind: String, namespace: String? = nil, name: String, propagationPolicy: String = "Background") throws {
        try lock.withLock {
            guard let rt = resourceType(apiVersion: apiVersion, kind: kind) else {
                throw KubeAPIError(code: 404, reason: "NotFound", message: "no resource serves \(apiVersion) \(kind)")
            }
            let key = KubeObjectKey(namespace: rt.namespaced ? (namespace ?? "default") : nil, name: name)
            guard stored(rt, key) != nil else { throw KubeAPIError.notFound(rt, name) }
            _ = deleteObject(rt, key, policy: propagationPolicy)
            runControllers()
        }
    }

    /// Sets the text `GET .../pods/{name}/log` returns for a container (`previous` for `?previous=true`).
    public func setPodLog(namespace: String, pod: String, container: String, text: String, previous: Bool = false) {
        lock.withLock { podLogs[KubeCluster.logKey(namespace, pod, container, previous)] = text }
    }

    /// Appends lines to a container's log.
    public func appendPodLog(namespace: String, pod: String, container: String, text: String) {
        lock.withLock { podLogs[KubeCluster.logKey(namespace, pod, container, false), default: ""] += text }
    }

    static func logKey(_ ns: String, _ pod: String, _ container: String, _ previous: Bool) -> String {
        "\(ns)/\(pod)/\(container)\(previous ? "#previous" : "")"
    }

    /// Every request answered so far (emulator-only `/_emulator` requests excluded), oldest first.
    public func requests() -> [KubeRecordedRequest] { lock.withLock { recorded } }

    public func clearRequests() { lock.withLock { recorded.removeAll() } }

    /// Makes matching requests fail with a Status error.
    public func injectFault(_ fault: KubeFault) { lock.withLock { faults.append(fault) } }

    public func clearFaults() { lock.withLock { faults.removeAll() } }

    /// The served resources, as discovery lists them.
    public func resourceTypes() -> [KubeResourceType] { lock.withLock { allTypes } }

    /// The current global resourceVersion.
    public var currentResourceVersion: Int64 { lock.withLock { resourceVersion } }

    /// Creates an Event about an object, as a controller or kubelet would.
    @discardableResult
    public func recordEvent(
        namespace: String, involvedKind: String, involvedName: String, involvedAPIVersion: String = "v1", reason: String,
        message: String, type: String = "Normal", component: String = "emulator"
    ) -> JSONValue? {
        lock.withLock {
            emitEvent(
                namespace: namespace, kind: involvedKind, name: involvedName, apiVersion: involvedAPIVersion, uid: nil,
                reason: reason, message: message, type: type, component: component)
        }
    }

    static func labels(of obj: JSONValue) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in obj["metadata"]?["labels"]?.objectValue ?? [:] { out[k] = v.stringValue ?? v.kubeSerialized() }
        return out
    }

    func emitEvent(
        namespace: String, kind: String, name: String, apiVersion: String, uid: String?, reason: String, message: String,
        type: String, component: String
    ) -> JSONValue? {
        guard namespaceExists(namespace) else { return nil }
        let now = nowString()
        var involved: [String: JSONValue] = [
            "kind": .string(kind), "name": .string(name), "namespace": .string(namespace), "apiVersion": .string(apiVersion),
        ]
        if let uid { involved["uid"] = .string(uid) }
        let evName = "\(name).\(String(format: "%016llx", rng.next()).prefix(16))"
        let ev: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string(evName), "namespace": .string(namespace)],
            "involvedObject": .object(involved),
            "reason": .string(reason), "message": .string(message), "type": .string(type),
            "source": ["component": .string(component)],
            "firstTimestamp": .string(now), "lastTimestamp": .string(now), "count": 1,
            "reportingComponent": .string(component), "reportingInstance": "",
        ]
        return systemCreate(ev, manager: component)
    }
}
