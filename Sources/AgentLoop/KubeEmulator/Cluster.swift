import Foundation

/// The identity of a stored object within its resource: namespace ("" when cluster-scoped) and name.
public struct KubeObjectKey: Hashable, Sendable, Comparable {
    public var namespace: String
    public var name: String
    public init(namespace: String?, name: String) {
        self.namespace = namespace ?? ""
        self.name = name
    }
    public static func < (a: KubeObjectKey, b: KubeObjectKey) -> Bool {
        a.namespace != b.namespace ? a.namespace < b.namespace : a.name < b.name
    }
}

/// A request as the emulator sees it, independent of the HTTP server.
public struct KubeRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        var h: [String: String] = [:]
        for (k, v) in headers { h[k.lowercased()] = v }
        self.headers = h
        self.body = body
    }

    /// Builds a request from a path that may carry a query string (`/api/v1/pods?labelSelector=a%3Db`).
    public init(method: String, url: String, headers: [String: String] = [:], body: [UInt8] = []) {
        var path = url
        var query: [String: String] = [:]
        if let q = url.firstIndex(of: "?") {
            path = String(url[..<q])
            query = KubeRequest.parseQuery(String(url[url.index(after: q)...]))
        }
        self.init(method: method, path: path, query: query, headers: headers, body: body)
    }

    public static func parseQuery(_ q: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in q.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            let k = decode(parts[0])
            out[k] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return out
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
    var contentType: String { (headers["content-type"] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "" }
}

/// An answer to a `KubeRequest`.
public struct KubeResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String = "application/json", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    static func json(_ status: Int, _ value: KubeJSON) -> KubeResponse {
        KubeResponse(status: status, body: Array(value.serialized().utf8))
    }

    static func error(_ e: KubeAPIError) -> KubeResponse { json(e.code, e.status) }

    static func text(_ status: Int, _ s: String) -> KubeResponse {
        KubeResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(s.utf8))
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
    public var json: KubeJSON? { try? KubeJSON.parse(body) }
}

/// One request the emulator answered, for tests that assert which calls a client made.
public struct KubeRecordedRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var contentType: String
    /// The Accept header the client sent.
    public var accept: String
    public var userAgent: String
    public var body: String
    public var status: Int

    public var asJSON: KubeJSON {
        var q: [String: KubeJSON] = [:]
        for (k, v) in query { q[k] = .string(v) }
        return [
            "method": .string(method), "path": .string(path), "query": .object(q), "contentType": .string(contentType),
            "accept": .string(accept), "userAgent": .string(userAgent), "body": .string(body), "status": .int(Int64(status)),
        ]
    }
}

/// An injected failure: matching requests are answered with a Status error instead of being served.
public struct KubeFault: Sendable {
    /// HTTP method to match (nil: any).
    public var method: String?
    /// Substring the request path must contain.
    public var pathContains: String
    public var code: Int
    public var reason: String
    public var message: String
    /// How many requests to fail (nil: every one until cleared).
    public var times: Int?

    public init(method: String? = nil, pathContains: String, code: Int = 500, reason: String = "InternalError",
                message: String = "injected failure", times: Int? = nil) {
        self.method = method?.uppercased()
        self.pathContains = pathContains
        self.code = code
        self.reason = reason
        self.message = message
        self.times = times
    }
}

/// A change, as a watch reports it.
struct WatchEvent {
    var resourceVersion: Int64
    var type: String
    var storageKey: String
    var object: KubeJSON
}

/// The emulated cluster: an in-memory object store with Kubernetes API semantics.
/// Every method is thread-safe; all state sits behind one lock, and controllers run synchronously
/// after each write, so what a client reads right after a write already includes their work.
public final class KubeCluster: @unchecked Sendable {
    public struct Options: Sendable {
        /// Pods get a Running/Ready status (from the emulated kubelet) as soon as they are created.
        public var autoRunPods = true
        /// Deployments/ReplicaSets/StatefulSets/DaemonSets/Jobs get pods and a computed status. Turn off to
        /// manage pods and workload status entirely by hand. A single object opts out with the annotation
        /// `KubeCluster.skipControllersAnnotation: "true"`.
        public var runWorkloadControllers = true
        /// Every namespace gets a `default` ServiceAccount, as the real service-account controller does.
        public var createDefaultServiceAccounts = true
        /// Controllers record Events (ScalingReplicaSet, SuccessfulCreate, Scheduled, Started...).
        public var generateEvents = false
        /// The version `/version` reports.
        public var gitVersion = "v1.32.4"
        /// Names of the nodes the cluster starts with.
        public var nodeNames = ["emulator-node"]
        public var clock: @Sendable () -> Date = { Date() }
        /// How long a deleted namespace stays `Terminating` before its contents are deleted and it goes away.
        /// Like a real cluster, this keeps the objects of a namespace deletable (200, not 404) right after
        /// the namespace DELETE — `kubectl delete -f` of a file holding a Namespace and its contents, or a
        /// client pruning a namespace and then its objects, rely on that. 0 makes it synchronous.
        /// `KubeCluster.settle()` finishes pending deletions at once.
        public var namespaceDeletionDelay: TimeInterval = 0.5

        public init() {}
    }

    /// Annotation that keeps the emulated controllers away from one object (its pods and status are left
    /// to the test).
    public static let skipControllersAnnotation = "emulator.brokkr.io/skip-controllers"

    let lock = NSLock()
    public let options: Options

    // All below guarded by `lock`.
    var resourceVersion: Int64 = 1000
    var objects: [String: [KubeObjectKey: KubeJSON]] = [:]
    let builtinTypes: [KubeResourceType]
    var crdTypes: [KubeResourceType] = []
    var podLogs: [String: String] = [:]
    var recorded: [KubeRecordedRequest] = []
    var faults: [KubeFault] = []
    var watchLog: [WatchEvent] = []
    var rng = SplitMix64(seed: 0x6b75_6265)
    var podIPCounter = 10
    /// Terminating namespaces and when the namespace controller empties them.
    var namespaceDeadlines: [String: Date] = [:]
    var serviceIPCounter = 10
    var serverAddress = "127.0.0.1:8001"

    public init(options: Options = Options()) {
        self.options = options
        self.builtinTypes = BuiltinResources.make()
        lock.withLock { bootstrap() }
    }

    func bootstrap() {
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            _ = systemCreate(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        }
        for node in options.nodeNames {
            _ = systemCreate(Workloads.nodeObject(name: node, now: nowString(), version: options.gitVersion))
        }
        _ = systemCreate([
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": "kubernetes", "namespace": "default", "labels": ["component": "apiserver", "provider": "kubernetes"]],
            "spec": [
                "clusterIP": "10.96.0.1", "type": "ClusterIP",
                "ports": [["name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443]],
            ],
        ])
        runControllers()
    }

    // MARK: - Basics

    func nowString() -> String { KubeCluster.format(options.clock()) }

    /// RFC 3339 UTC with seconds, as Kubernetes timestamps are written.
    public static func format(_ d: Date) -> String {
        let t = Int64(d.timeIntervalSince1970.rounded(.down))
        let days = t >= 0 ? t / 86400 : (t - 86399) / 86400
        let secs = t - days * 86400
        // civil-from-days (Howard Hinnant)
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        var y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let dd = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        if m <= 2 { y += 1 }
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(y)-\(two(m))-\(two(dd))T\(two(secs / 3600)):\(two((secs % 3600) / 60)):\(two(secs % 60))Z"
    }

    public static func parseTime(_ s: String) -> Date? {
        let parts = s.split(whereSeparator: { "-T:Z".contains($0) }).compactMap { Int($0) }
        guard parts.count >= 6 else { return nil }
        var c = DateComponents()
        c.year = parts[0]; c.month = parts[1]; c.day = parts[2]; c.hour = parts[3]; c.minute = parts[4]; c.second = parts[5]
        c.timeZone = TimeZone(identifier: "UTC")
        return Calendar(identifier: .gregorian).date(from: c)
    }

    func nextResourceVersion() -> Int64 {
        resourceVersion += 1
        return resourceVersion
    }

    func newUID() -> String {
        let a = rng.next(), b = rng.next()
        let hex = String(format: "%016llx%016llx", a, b)
        let c = Array(hex)
        return "\(String(c[0..<8]))-\(String(c[8..<12]))-4\(String(c[13..<16]))-a\(String(c[17..<20]))-\(String(c[20..<32]))"
    }

    /// Five characters like the ones Kubernetes appends to generated names.
    func randomSuffix(_ n: Int = 5) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var out = ""
        for _ in 0..<n { out.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
        return out
    }

    var allTypes: [KubeResourceType] { builtinTypes + crdTypes }

    func resourceType(group: String, version: String, plural: String) -> KubeResourceType? {
        allTypes.first { $0.group == group && $0.version == version && $0.plural == plural }
    }

    /// The type serving `apiVersion`/`kind` (preferring the exact version).
    func resourceType(apiVersion: String, kind: String) -> KubeResourceType? {
        let (g, v) = KubeCluster.splitAPIVersion(apiVersion)
        return allTypes.first { $0.group == g && $0.version == v && $0.kind == kind }
    }

    func preferredType(storageKey: String) -> KubeResourceType? {
        allTypes.filter { $0.storageKey == storageKey }.sorted { kubeVersionLess($0.version, $1.version) }.first
    }

    static func splitAPIVersion(_ apiVersion: String) -> (String, String) {
        if let slash = apiVersion.firstIndex(of: "/") {
            return (String(apiVersion[..<slash]), String(apiVersion[apiVersion.index(after: slash)...]))
        }
        return ("", apiVersion)
    }

    func namespaceType() -> KubeResourceType { builtinTypes.first { $0.plural == "namespaces" }! }

    /// The object as served at `rt`'s version.
    func served(_ obj: KubeJSON, _ rt: KubeResourceType) -> KubeJSON {
        var o = obj
        o["apiVersion"] = .string(rt.apiVersion)
        o["kind"] = .string(rt.kind)
        return o
    }

    func stored(_ rt: KubeResourceType, _ key: KubeObjectKey) -> KubeJSON? { objects[rt.storageKey]?[key] }

    /// Writes an object to the store, giving it the next resourceVersion, and logs a watch event.
    @discardableResult
    func commit(_ storageKey: String, _ key: KubeObjectKey, _ obj: KubeJSON, eventType: String? = nil) -> KubeJSON {
        var o = obj
        let rv = nextResourceVersion()
        o.setValue(.string(String(rv)), at: ["metadata", "resourceVersion"])
        let type = eventType ?? (objects[storageKey]?[key] == nil ? "ADDED" : "MODIFIED")
        objects[storageKey, default: [:]][key] = o
        recordWatch(rv, type, storageKey, o)
        return o
    }

    func removeStored(_ storageKey: String, _ key: KubeObjectKey) {
        guard let old = objects[storageKey]?[key] else { return }
        objects[storageKey]?[key] = nil
        let rv = nextResourceVersion()
        var o = old
        o.setValue(.string(String(rv)), at: ["metadata", "resourceVersion"])
        recordWatch(rv, "DELETED", storageKey, o)
    }

    func recordWatch(_ rv: Int64, _ type: String, _ storageKey: String, _ obj: KubeJSON) {
        watchLog.append(WatchEvent(resourceVersion: rv, type: type, storageKey: storageKey, object: obj))
        if watchLog.count > 20000 { watchLog.removeFirst(5000) }
    }

    static func key(of obj: KubeJSON) -> KubeObjectKey {
        KubeObjectKey(namespace: obj["metadata"]?["namespace"]?.stringValue, name: obj["metadata"]?["name"]?.stringValue ?? "")
    }

    func namespaceExists(_ ns: String) -> Bool { objects["/namespaces"]?[KubeObjectKey(namespace: nil, name: ns)] != nil }

    func namespaceTerminating(_ ns: String) -> Bool {
        objects["/namespaces"]?[KubeObjectKey(namespace: nil, name: ns)]?["metadata"]?["deletionTimestamp"] != nil
    }

    /// Creates an object as the system would (bootstrap and controllers): metadata filled in, defaults applied,
    /// status kept as given.
    @discardableResult
    func systemCreate(_ object: KubeJSON, manager: String = "kube-controller-manager") -> KubeJSON? {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue,
            let rt = resourceType(apiVersion: apiVersion, kind: kind)
        else { return nil }
        var o = object
        let key = KubeCluster.key(of: o)
        if stored(rt, key) != nil { return nil }
        o.setValue(.string(newUID()), at: ["metadata", "uid"])
        o.setValue(.string(nowString()), at: ["metadata", "creationTimestamp"])
        o.setValue(.int(1), at: ["metadata", "generation"])
        let status = o["status"]
        Defaults.apply(&o, rt, isCreate: true, cluster: self)
        if let status { o["status"] = status }
        o = FieldManager.update(
            live: nil, new: o, manager: manager, apiVersion: rt.apiVersion, subresource: nil, cursor: .builtin,
            topLevel: { $0 != "apiVersion" && $0 != "kind" && $0 != "status" }, now: nowString())
        return commit(rt.storageKey, key, o)
    }

    // MARK: - Public library API

    /// Answers one API request (the HTTP server calls this; tests may too).
    public func handle(_ request: KubeRequest) -> KubeResponse {
        lock.withLock {
            finishDueNamespaceDeletions()
            return handleLocked(request)
        }
    }

    /// Finishes every pending namespace deletion now and runs the controllers, so that the state no longer
    /// changes by itself.
    public func settle() {
        lock.withLock {
            for k in namespaceDeadlines.keys { namespaceDeadlines[k] = .distantPast }
            finishDueNamespaceDeletions()
            runControllers()
        }
    }

    /// Called periodically by the server: finishes namespace deletions that are due.
    public func tick() {
        lock.withLock { finishDueNamespaceDeletions() }
    }

    /// Whether a namespace deletion is still pending.
    public var hasPendingWork: Bool { lock.withLock { !namespaceDeadlines.isEmpty } }

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
    public func get(apiVersion: String, kind: String, namespace: String? = nil, name: String) -> KubeJSON? {
        lock.withLock {
            finishDueNamespaceDeletions()
            guard let rt = resourceType(apiVersion: apiVersion, kind: kind) else { return nil }
            return stored(rt, KubeObjectKey(namespace: rt.namespaced ? (namespace ?? "default") : nil, name: name)).map { served($0, rt) }
        }
    }

    /// All objects of a kind, optionally in one namespace and matching a label selector.
    public func list(apiVersion: String, kind: String, namespace: String? = nil, labelSelector: String? = nil) -> [KubeJSON] {
        lock.withLock {
            finishDueNamespaceDeletions()
            guard let rt = resourceType(apiVersion: apiVersion, kind: kind) else { return [] }
            let sel = labelSelector.flatMap { try? KubeLabelSelector.parse($0) }
            return (objects[rt.storageKey] ?? [:]).sorted { $0.key < $1.key }.compactMap { (k, v) -> KubeJSON? in
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
    public func put(_ object: KubeJSON) throws -> KubeJSON {
        try lock.withLock { try putLocked(object) }
    }

    func putLocked(_ object: KubeJSON) throws -> KubeJSON {
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
    public func setStatus(apiVersion: String, kind: String, namespace: String? = nil, name: String, status: KubeJSON) throws -> KubeJSON {
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
    ) -> KubeJSON? {
        lock.withLock {
            emitEvent(namespace: namespace, kind: involvedKind, name: involvedName, apiVersion: involvedAPIVersion, uid: nil,
                      reason: reason, message: message, type: type, component: component)
        }
    }

    static func labels(of obj: KubeJSON) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in obj["metadata"]?["labels"]?.objectValue ?? [:] { out[k] = v.stringValue ?? v.serialized() }
        return out
    }

    func emitEvent(
        namespace: String, kind: String, name: String, apiVersion: String, uid: String?, reason: String, message: String,
        type: String, component: String
    ) -> KubeJSON? {
        guard namespaceExists(namespace) else { return nil }
        let now = nowString()
        var involved: [String: KubeJSON] = [
            "kind": .string(kind), "name": .string(name), "namespace": .string(namespace), "apiVersion": .string(apiVersion),
        ]
        if let uid { involved["uid"] = .string(uid) }
        let evName = "\(name).\(String(format: "%016llx", rng.next()).prefix(16))"
        let ev: KubeJSON = [
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

/// A small deterministic random generator, so generated names and UIDs repeat from run to run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// FNV-1a, for stable short hashes of pod templates.
func fnv1a(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 {
        h ^= UInt64(b)
        h = h &* 0x100_0000_01b3
    }
    return h
}
