import BrokkrCommon
import Foundation
import Logging

/// Brings the cluster to one deployment object of a stack: namespaces and CRDs first (waiting until the
/// CRDs are established), then the rest as one tier — a dry run of all of it, then forced server-side
/// apply, each `concurrency` objects at a time — then pruning what the stack no longer declares. Objects whose change is refused as immutable are recreated when they may be
/// (`ImmutableFields`). On failure only namespaces this run created are removed again.
public struct Reconciler: Sendable {
    public struct DeploymentObject: Sendable {
        public let id: String
        public let stackID: String
        public let yaml: String
        public let checksum: String
        public let isDeletionMarker: Bool

        /// The agent's view of a target-state entry.
        public init(_ object: BrokkrCommon.DeploymentObject) {
            self.id = object.id.lowercasedString
            self.stackID = object.stackID.lowercasedString
            self.yaml = object.yamlContent
            self.checksum = object.yamlChecksum
            self.isDeletionMarker = object.isDeletionMarker
        }

        public init(json: JSONValue) throws {
            guard let id = json["id"]?.stringValue, let stack = json["stack_id"]?.stringValue else {
                throw ReconcileError("deployment object without id or stack_id")
            }
            self.id = id
            self.stackID = stack
            self.yaml = json["yaml_content"]?.stringValue ?? ""
            self.checksum = json["yaml_checksum"]?.stringValue ?? ""
            self.isDeletionMarker = json["is_deletion_marker"]?.boolValue ?? false
        }
    }

    public struct ReconcileError: Error, CustomStringConvertible, Sendable {
        public let description: String
        /// The object itself is at fault (it does not parse, or a document lacks its kind or name).
        /// Deployment objects are immutable, so trying it again cannot succeed.
        public let isPermanent: Bool
        init(_ description: String, isPermanent: Bool = false) {
            self.description = description
            self.isPermanent = isPermanent
        }
    }

    let kube: KubeClient
    let agentID: String
    let logger: Logger
    /// How many objects of one priority tier are dry-run or applied at once (`agent.apply_concurrency`):
    /// against a real API server each request is a round trip, so a sequential apply is latency-bound.
    let concurrency: Int

    public init(kube: KubeClient, agentID: String, logger: Logger, concurrency: Int = 8) {
        self.kube = kube
        self.agentID = agentID
        self.logger = logger
        self.concurrency = max(concurrency, 1)
    }

    static let priorityKinds: Set<String> = ["Namespace", "CustomResourceDefinition"]

    /// Applies the object's YAML (nothing for a deletion marker) and prunes the rest of the stack.
    /// With `observingDrift`, each object is read before it is applied, and the result lists what the
    /// apply changed in the cluster ("ConfigMap web/settings recreated", "… corrected", "… pruned"):
    /// after a successful apply of the same object, that is drift made by someone else.
    @discardableResult
    public func reconcile(_ object: DeploymentObject, observingDrift: Bool = false) async throws -> [String] {
        var desired = try Self.desiredObjects(object, agentID: agentID)
        let drift = DriftLog(observing: observingDrift)
        if !observingDrift {
            // Applying the same deployment object again (a retry, a restart mid-apply) skips what already
            // carries its id and checksum: found with one list per type instead of two requests per object.
            let done = try await alreadyApplied(desired, object: object)
            if !done.isEmpty {
                var remaining: [JSONValue] = []
                for item in desired {
                    if let key = try? await key(of: item), done.contains(key) { continue }
                    remaining.append(item)
                }
                desired = remaining
            }
        }
        let priority = desired.filter { Self.priorityKinds.contains($0["kind"]?.stringValue ?? "") }
        let rest = desired.filter { !Self.priorityKinds.contains($0["kind"]?.stringValue ?? "") }

        var createdNamespaces: [JSONValue] = []
        do {
            // Namespaces and CRDs: one tier, read first (a namespace this run creates is removed again
            // if the rest fails).
            let observing = drift.isObserving
            let priorityResults = await applyTier(priority, reading: { observing || Self.isNamespace($0) }, recreating: [])
            for (item, result) in zip(priority, priorityResults) {
                if Self.isNamespace(item), case .success((nil, _)) = result { createdNamespaces.append(item) }
            }
            try Self.gather(priority, priorityResults, into: drift)
            let crds = priority.filter { $0["kind"]?.stringValue == "CustomResourceDefinition" }
            if !crds.isEmpty {
                try await waitUntilEstablished(crds)
                try await kube.refreshDiscovery()
            }
            let replace = try await validate(rest)
            try Self.gather(rest, await applyTier(rest, reading: { _ in observing }, recreating: replace), into: drift)
        } catch {
            await rollback(createdNamespaces)
            throw error
        }
        for pruned in try await prune(stackID: object.stackID, keepChecksum: object.isDeletionMarker ? nil : object.checksum) {
            drift.record("\(pruned) pruned")
        }
        return drift.changes
    }

    static func isNamespace(_ item: JSONValue) -> Bool { item["kind"]?.stringValue == "Namespace" }

    /// What applying one object gave: the live object read before (when read) and the apply's answer.
    typealias Outcome = Result<(live: JSONValue?, applied: JSONValue), any Error>

    /// Applies one tier concurrently (`concurrency` at a time), every outcome gathered in the tier's order.
    /// Objects for which `reading` holds are read just before; `recreating` are the indexes to replace.
    func applyTier(_ items: [JSONValue], reading: @escaping @Sendable (JSONValue) -> Bool, recreating: Set<Int>) async -> [Outcome] {
        await items.enumerated().concurrentMap(limit: concurrency) { index, item -> Outcome in
            do {
                let live = reading(item) ? try await kube.get(item) : nil
                return .success((live, try await applyOrRecreate(item, recreating: recreating.contains(index))))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Records each applied object's drift; fails with the one failure, or one error naming every failure.
    static func gather(_ items: [JSONValue], _ outcomes: [Outcome], into drift: DriftLog) throws {
        var failures: [(JSONValue, any Error)] = []
        for (item, outcome) in zip(items, outcomes) {
            switch outcome {
            case .success(let (live, applied)): drift.compare(item, before: live, after: applied)
            case .failure(let error): failures.append((item, error))
            }
        }
        if let (_, only) = failures.first, failures.count == 1 { throw only }
        if !failures.isEmpty {
            throw ReconcileError("\(failures.count) objects failed: " + failures.map { "\(describe($0.0)): \($0.1)" }.joined(separator: "; "))
        }
    }

    /// The stamped documents of a deployment object (none for a deletion marker).
    static func desiredObjects(_ object: DeploymentObject, agentID: String) throws -> [JSONValue] {
        guard !object.isDeletionMarker else { return [] }
        let desired: [JSONValue]
        do {
            desired = try YAMLDocuments.parse(object.yaml).map {
                OwnershipStamp.stamp($0, stackID: object.stackID, objectID: object.id, checksum: object.checksum, agentID: agentID)
            }
        } catch {
            throw ReconcileError("invalid YAML: \(error)", isPermanent: true)
        }
        for item in desired
        where item["kind"]?.stringValue == nil || item["apiVersion"]?.stringValue == nil || item["metadata"]?["name"]?.stringValue == nil {
            throw ReconcileError("every document needs apiVersion, kind and metadata.name: \(item.serialized().prefix(200))", isPermanent: true)
        }
        return desired
    }

    /// The objects of `items` that already carry this deployment object's id label and checksum
    /// annotation, as `key(of:)`: one list per type, selected by the id label. Types that cannot be
    /// listed yet (a kind whose CRD is new) count as not applied.
    func alreadyApplied(_ items: [JSONValue], object: DeploymentObject) async throws -> Set<String> {
        var types: [String: (apiVersion: String, kind: String)] = [:]
        for item in items {
            if let apiVersion = item["apiVersion"]?.stringValue, let kind = item["kind"]?.stringValue {
                types["\(apiVersion)/\(kind)"] = (apiVersion, kind)
            }
        }
        let selector = "\(OwnershipStamp.objectLabel)=\(object.id)"
        let lists = await Array(types.values).concurrentMap(limit: concurrency) { type -> [String] in
            guard let resource = try? await kube.resource(apiVersion: type.apiVersion, kind: type.kind), resource.verbs.contains("list"),
                let live = try? await kube.list(resource, labelSelector: selector)
            else { return [] }
            return live.filter { $0["metadata"]?["annotations"]?[OwnershipStamp.checksumAnnotation]?.stringValue == object.checksum }.map {
                "\(type.apiVersion)/\(type.kind)/\($0["metadata"]?["namespace"]?.stringValue ?? "")/\($0["metadata"]?["name"]?.stringValue ?? "")"
            }
        }
        let found = Set(lists.joined())
        return found
    }

    /// "apiVersion/Kind/namespace/name", with the namespace the object will be applied to.
    func key(of item: JSONValue) async throws -> String {
        let (_, namespace, name) = try await kube.locate(item)
        return "\(item["apiVersion"]?.stringValue ?? "")/\(item["kind"]?.stringValue ?? "")/\(namespace ?? "")/\(name)"
    }

    /// A dry run of every object before any is applied, so a deployment object that cannot apply
    /// changes nothing. Returns the indexes of objects to recreate (an immutable field changed and the
    /// object may be replaced); any other refusal fails the whole object, naming every problem.
    func validate(_ items: [JSONValue]) async throws -> Set<Int> {
        let outcomes = await items.concurrentMap(limit: concurrency) { item -> (problem: String?, replace: Bool) in
            do {
                try await kube.apply(item, fieldManager: OwnershipStamp.fieldManager, force: true, dryRun: true)
                return (nil, false)
            } catch let error where ImmutableFields.isImmutableError(error) {
                return ImmutableFields.mayReplace(item) ? (nil, true) : (ImmutableFields.describe(item, error), false)
            } catch {
                return ("\(Self.describe(item)): \(error)", false)
            }
        }
        let problems = outcomes.compactMap(\.problem)
        guard problems.isEmpty else { throw ReconcileError("validation failed: " + problems.joined(separator: "; ")) }
        return Set(outcomes.indices.filter { outcomes[$0].replace })
    }

    /// Forced server-side apply; an object whose change is refused as immutable is recreated when it
    /// may be (`ImmutableFields`), and otherwise fails naming the field.
    func applyOrRecreate(_ item: JSONValue, recreating: Bool) async throws -> JSONValue {
        if recreating { return try await recreate(item) }
        do {
            return try await kube.apply(item, fieldManager: OwnershipStamp.fieldManager, force: true)
        } catch let error where ImmutableFields.isImmutableError(error) && ImmutableFields.mayReplace(item) {
            return try await recreate(item)
        } catch let error where ImmutableFields.isImmutableError(error) {
            throw ReconcileError(ImmutableFields.describe(item, error))
        }
    }

    /// "Kind namespace/name" (or "Kind name" for cluster-scoped objects).
    static func describe(_ item: JSONValue) -> String {
        let metadata = item["metadata"]
        return
            "\(item["kind"]?.stringValue ?? "?") \(metadata?["namespace"]?.stringValue.map { "\($0)/" } ?? "")\(metadata?["name"]?.stringValue ?? "?")"
    }

    /// How long a replaced object may take to go, and a new CRD to become established.
    static let waitLimit: Duration = .seconds(60)
    static let pollInterval: Duration = .milliseconds(200)

    /// Replaces an object whose change the API server refuses in place: deletes it in the foreground
    /// (its dependents, such as a Job's pods, go first), waits until it is gone, and creates it again.
    @discardableResult
    func recreate(_ item: JSONValue) async throws -> JSONValue {
        let name = "\(item["kind"]?.stringValue ?? "?")/\(item["metadata"]?["name"]?.stringValue ?? "?")"
        logger.info("Recreating \(name): an immutable field changed")
        let (resource, namespace, objectName) = try await kube.locate(item)
        try await kube.delete(resource, namespace: namespace, name: objectName, propagationPolicy: "Foreground")
        let deadline = ContinuousClock.now + Self.waitLimit
        while try await kube.get(item) != nil {
            guard ContinuousClock.now < deadline else {
                throw ReconcileError("\(name) was deleted to be recreated but still exists after \(Self.waitLimit)")
            }
            try await Task.sleep(for: Self.pollInterval)
        }
        return try await kube.apply(item, fieldManager: OwnershipStamp.fieldManager, force: true)
    }

    /// Waits until every CRD reports `Established`: until then the API server does not serve its kinds.
    func waitUntilEstablished(_ crds: [JSONValue]) async throws {
        let deadline = ContinuousClock.now + Self.waitLimit
        for crd in crds {
            while true {
                let live = try await kube.get(crd)
                let established =
                    live?["status"]?["conditions"]?.arrayValue?.contains {
                        $0["type"] == .string("Established") && $0["status"] == .string("True")
                    } ?? false
                if established { break }
                guard ContinuousClock.now < deadline else {
                    throw ReconcileError(
                        "CustomResourceDefinition \(crd["metadata"]?["name"]?.stringValue ?? "?") is not established after \(Self.waitLimit)")
                }
                try await Task.sleep(for: Self.pollInterval)
            }
        }
    }

    /// Deletes the stack's objects that this agent stamped and that carry another checksum (all of them
    /// for a deletion marker), leaving objects owned by another object to garbage collection. Returns what it deleted.
    @discardableResult
    func prune(stackID: String, keepChecksum: String?) async throws -> [String] {
        let resources = try await kube.allResources().filter { $0.verbs.contains("list") && $0.verbs.contains("delete") }
        // One list per type, `concurrency` at a time; then the deletes, as many at a time.
        let lists = await resources.concurrentMap(limit: concurrency) { resource -> [(KubeResource, JSONValue)] in
            do {
                return try await kube.list(resource, labelSelector: "\(OwnershipStamp.stackLabel)=\(stackID)").map { (resource, $0) }
            } catch {
                logger.debug("prune: cannot list \(resource.plural): \(error)")
                return []
            }
        }
        let doomed = lists.joined().filter { _, item in
            let metadata = item["metadata"]
            // Only what this agent stamped: controllers copy labels onto objects of their own (the
            // endpoints controller gives a Service's Endpoints its labels), which are not the stack's.
            guard metadata?["annotations"]?[OwnershipStamp.ownerAnnotation]?.stringValue == agentID else { return false }
            if let owners = metadata?["ownerReferences"]?.arrayValue, !owners.isEmpty { return false }
            if let keep = keepChecksum, metadata?["annotations"]?[OwnershipStamp.checksumAnnotation]?.stringValue == keep { return false }
            return metadata?["name"]?.stringValue != nil
        }
        let deletions = await doomed.concurrentMap(limit: concurrency) { resource, item -> Result<String, any Error> in
            let metadata = item["metadata"]
            let description = Self.describe(.object(["kind": .string(resource.kind), "metadata": metadata ?? .null]))
            logger.info("Pruning \(description)")
            do {
                try await kube.delete(resource, namespace: metadata?["namespace"]?.stringValue, name: metadata?["name"]?.stringValue ?? "")
                return .success(description)
            } catch {
                return .failure(error)
            }
        }
        return try deletions.map { try $0.get() }
    }

    func rollback(_ namespaces: [JSONValue]) async {
        for namespace in namespaces {
            guard let name = namespace["metadata"]?["name"]?.stringValue,
                let resource = try? await kube.resource(apiVersion: "v1", kind: "Namespace")
            else { continue }
            logger.warning("Rolling back namespace \(name) created by the failed reconcile")
            try? await kube.delete(resource, namespace: nil, name: name)
        }
    }
}
