import BrokkrCommon
import Foundation
import Logging

/// Brings the cluster to one deployment object of a stack (spec/06 §6.3, with the fixes the issue
/// asks for): namespaces and CRDs first, a dry run of everything else, forced server-side apply,
/// then pruning what the stack no longer declares. On failure only namespaces this run created are
/// removed again.
public struct Reconciler: Sendable {
    public struct DeploymentObject: Sendable {
        public let id: String
        public let stackID: String
        public let yaml: String
        public let checksum: String
        public let isDeletionMarker: Bool

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
            if priority.contains(where: { $0["kind"]?.stringValue == "CustomResourceDefinition" }) { try await kube.refreshDiscovery() }
            var problems: [String] = []
            for item in rest {
                do {
                    try await kube.apply(item, fieldManager: OwnershipStamp.fieldManager, force: true, dryRun: true)
                } catch {
                    problems.append("\(item["kind"]?.stringValue ?? "?")/\(item["metadata"]?["name"]?.stringValue ?? "?"): \(error)")
                }
            }
            guard problems.isEmpty else { throw ReconcileError("validation failed: " + problems.joined(separator: "; ")) }
            for item in rest {
                try await kube.apply(item, fieldManager: OwnershipStamp.fieldManager, force: true)
            }
        } catch {
            await rollback(createdNamespaces)
            throw error
        }
        try await prune(stackID: object.stackID, keepChecksum: object.isDeletionMarker ? nil : object.checksum)
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
