import BrokkrCommon
import Foundation

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
        /// How long a new CRD takes to become `Established`. Until then its kinds are not in discovery
        /// and requests for them answer 404, as on a real API server, where this takes a moment; a
        /// client must wait for the condition before using the kinds. 0 (the default) establishes at once.
        public var crdEstablishDelay: TimeInterval = 0
        /// A pause before answering each API request (not `/_emulator`), so that clients and benchmarks
        /// see round trips as against a remote API server.
        public var latency: TimeInterval = 0

        public init() {}
    }

    /// Annotation that keeps the emulated controllers away from one object (its pods and status are left
    /// to the test).
    public static let skipControllersAnnotation = "emulator.brokkr.io/skip-controllers"

    let lock = NSLock()
    public let options: Options

    // All below guarded by `lock`.
    var resourceVersion: Int64 = 1000
    var objects: [String: [KubeObjectKey: JSONValue]] = [:]
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
    /// CRDs (by name) not yet established and when they will be.
    var crdEstablishDeadlines: [String: Date] = [:]
    var serviceIPCounter = 10
    var serverAddress = "127.0.0.1:8001"
    /// What the workload controllers look at on their next pass (`WorkloadQueue`).
    var queuedWorkloads: Set<WorkloadRef> = []

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
        c.year = parts[0]
        c.month = parts[1]
        c.day = parts[2]
        c.hour = parts[3]
        c.minute = parts[4]
        c.second = parts[5]
        c.timeZone = TimeZone(identifier: "UTC")
        return Calendar(identifier: .gregorian).date(from: c)
    }

    func nextResourceVersion() -> Int64 {
        resourceVersion += 1
        return resourceVersion
    }

    func newUID() -> String {
        let a = rng.next()
        let b = rng.next()
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
    func served(_ obj: JSONValue, _ rt: KubeResourceType) -> JSONValue {
        var o = obj
        o["apiVersion"] = .string(rt.apiVersion)
        o["kind"] = .string(rt.kind)
        return o
    }

    func stored(_ rt: KubeResourceType, _ key: KubeObjectKey) -> JSONValue? { objects[rt.storageKey]?[key] }

    /// Writes an object to the store, giving it the next resourceVersion, and logs a watch event.
    @discardableResult
    func commit(_ storageKey: String, _ key: KubeObjectKey, _ obj: JSONValue, eventType: String? = nil) -> JSONValue {
        var o = obj
        let rv = nextResourceVersion()
        o.setValue(.string(String(rv)), at: ["metadata", "resourceVersion"])
        let type = eventType ?? (objects[storageKey]?[key] == nil ? "ADDED" : "MODIFIED")
        objects[storageKey, default: [:]][key] = o
        recordWatch(rv, type, storageKey, o)
        queueWorkloads(affectedBy: o, storageKey: storageKey, key: key)
        return o
    }

    func removeStored(_ storageKey: String, _ key: KubeObjectKey) {
        guard let old = objects[storageKey]?[key] else { return }
        objects[storageKey]?[key] = nil
        let rv = nextResourceVersion()
        var o = old
        o.setValue(.string(String(rv)), at: ["metadata", "resourceVersion"])
        recordWatch(rv, "DELETED", storageKey, o)
        queueWorkloads(affectedBy: o, storageKey: storageKey, key: key)
    }

    func recordWatch(_ rv: Int64, _ type: String, _ storageKey: String, _ obj: JSONValue) {
        watchLog.append(WatchEvent(resourceVersion: rv, type: type, storageKey: storageKey, object: obj))
        if watchLog.count > 20000 { watchLog.removeFirst(5000) }
    }

    static func key(of obj: JSONValue) -> KubeObjectKey {
        KubeObjectKey(namespace: obj["metadata"]?["namespace"]?.stringValue, name: obj["metadata"]?["name"]?.stringValue ?? "")
    }

    func namespaceExists(_ ns: String) -> Bool { objects["/namespaces"]?[KubeObjectKey(namespace: nil, name: ns)] != nil }

    func namespaceTerminating(_ ns: String) -> Bool {
        objects["/namespaces"]?[KubeObjectKey(namespace: nil, name: ns)]?["metadata"]?["deletionTimestamp"] != nil
    }

    /// Creates an object as the system would (bootstrap and controllers): metadata filled in, defaults applied,
    /// status kept as given.
    @discardableResult
    func systemCreate(_ object: JSONValue, manager: String = "kube-controller-manager") -> JSONValue? {
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
