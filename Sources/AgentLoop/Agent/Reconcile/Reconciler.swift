import BrokkrCommon
import Foundation
import Logging

/// Brings the cluster to one deployment object of a stack: namespaces and CRDs first (waiting until the
/// CRDs are established), a dry run of everything else, forced server-side apply, then pruning what the
/// stack no longer declares. Objects whose change is refused as immutable are recreated when they may be
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
        init(_ description: String) { self.description = description }
    }

    let kube: KubeClient
    let agentID: String
    let logger: Logger

    public init(kube: KubeClient, agentID: String, logger: Logger) {
        self.kube = kube
        self.agentID = agentID
        self.logger = logger
    }

    static let priorityKinds: Set<String> = ["Namespace", "CustomResourceDefinition"]

    /// Applies the object's YAML (nothing for a deletion marker) and prunes the rest of the stack.
    public func reconcile(_ object: DeploymentObject) async throws {
        let desired: [JSONValue]
        if object.isDeletionMarker {
            desired = []
        } else {
            do {
                desired = try YAMLDocuments.parse(object.yaml).map {
                    OwnershipStamp.stamp($0, stackID: object.stackID, objectID: object.id, checksum: object.checksum, agentID: agentID)
                }
            } catch {
                throw ReconcileError("invalid YAML: \(error)")
            }
            for item in desired where item["kind"]?.stringValue == nil || item["apiVersion"]?.stringValue == nil || item["metadata"]?["name"]?.stringValue == nil {
                throw ReconcileError("every document needs apiVersion, kind and metadata.name: \(item.serialized().prefix(200))")
            }
        }
        let priority = desired.filter { Self.priorityKinds.contains($0["kind"]?.stringValue ?? "") }
        let rest = desired.filter { !Self.priorityKinds.contains($0["kind"]?.stringValue ?? "") }

        var createdNamespaces: [JSONValue] = []
        do {
            for item in priority {
                if item["kind"]?.stringValue == "Namespace", try await kube.get(item) == nil { createdNamespaces.append(item) }
                try await kube.apply(item, fieldManager: OwnershipStamp.fieldManager, force: true)
            }
            let crds = priority.filter { $0["kind"]?.stringValue == "CustomResourceDefinition" }
            if !crds.isEmpty {
                try await waitUntilEstablished(crds)
                try await kube.refreshDiscovery()
            }
            var problems: [String] = []
            var replace = Set<Int>()
            for (index, item) in rest.enumerated() {
                do {
                    try await kube.apply(item, fieldManager: OwnershipStamp.fieldManager, force: true, dryRun: true)
                } catch let error where ImmutableFields.isImmutableError(error) {
                    if ImmutableFields.mayReplace(item) { replace.insert(index) } else { problems.append(ImmutableFields.describe(item, error)) }
                } catch {
                    problems.append("\(item["kind"]?.stringValue ?? "?")/\(item["metadata"]?["name"]?.stringValue ?? "?"): \(error)")
                }
            }
            guard problems.isEmpty else { throw ReconcileError("validation failed: " + problems.joined(separator: "; ")) }
            for (index, item) in rest.enumerated() {
                if replace.contains(index) {
                    try await recreate(item)
                    continue
                }
                do {
                    try await kube.apply(item, fieldManager: OwnershipStamp.fieldManager, force: true)
                } catch let error where ImmutableFields.isImmutableError(error) && ImmutableFields.mayReplace(item) {
                    try await recreate(item)
                } catch let error where ImmutableFields.isImmutableError(error) {
                    throw ReconcileError(ImmutableFields.describe(item, error))
                }
            }
        } catch {
            await rollback(createdNamespaces)
            throw error
        }
        try await prune(stackID: object.stackID, keepChecksum: object.isDeletionMarker ? nil : object.checksum)
    }

    /// How long a replaced object may take to go, and a new CRD to become established.
    static let waitLimit: Duration = .seconds(60)
    static let pollInterval: Duration = .milliseconds(200)

    /// Replaces an object whose change the API server refuses in place: deletes it in the foreground
    /// (its dependents, such as a Job's pods, go first), waits until it is gone, and creates it again.
    func recreate(_ item: JSONValue) async throws {
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
        try await kube.apply(item, fieldManager: OwnershipStamp.fieldManager, force: true)
    }

    /// Waits until every CRD reports `Established`: until then the API server does not serve its kinds.
    func waitUntilEstablished(_ crds: [JSONValue]) async throws {
        let deadline = ContinuousClock.now + Self.waitLimit
        for crd in crds {
            while true {
                let live = try await kube.get(crd)
                let established = live?["status"]?["conditions"]?.arrayValue?.contains {
                    $0["type"] == .string("Established") && $0["status"] == .string("True")
                } ?? false
                if established { break }
                guard ContinuousClock.now < deadline else {
                    throw ReconcileError("CustomResourceDefinition \(crd["metadata"]?["name"]?.stringValue ?? "?") is not established after \(Self.waitLimit)")
                }
                try await Task.sleep(for: Self.pollInterval)
            }
        }
    }

    /// Deletes the stack's objects that carry another checksum (all of them for a deletion marker),
    /// leaving objects owned by another object to garbage collection.
    func prune(stackID: String, keepChecksum: String?) async throws {
        for resource in try await kube.allResources() where resource.verbs.contains("list") && resource.verbs.contains("delete") {
            let items: [JSONValue]
            do {
                items = try await kube.list(resource, labelSelector: "\(OwnershipStamp.stackLabel)=\(stackID)")
            } catch {
                logger.debug("prune: cannot list \(resource.plural): \(error)")
                continue
            }
            for item in items {
                let metadata = item["metadata"]
                if let owners = metadata?["ownerReferences"]?.arrayValue, !owners.isEmpty { continue }
                if let keep = keepChecksum, metadata?["annotations"]?[OwnershipStamp.checksumAnnotation]?.stringValue == keep { continue }
                guard let name = metadata?["name"]?.stringValue else { continue }
                logger.info("Pruning \(resource.kind) \(metadata?["namespace"]?.stringValue.map { "\($0)/" } ?? "")\(name)")
                try await kube.delete(resource, namespace: metadata?["namespace"]?.stringValue, name: name)
            }
        }
    }

    func rollback(_ namespaces: [JSONValue]) async {
        for namespace in namespaces {
            guard let name = namespace["metadata"]?["name"]?.stringValue,
                  let resource = try? await kube.resource(apiVersion: "v1", kind: "Namespace") else { continue }
            logger.warning("Rolling back namespace \(name) created by the failed reconcile")
            try? await kube.delete(resource, namespace: nil, name: name)
        }
    }
}
