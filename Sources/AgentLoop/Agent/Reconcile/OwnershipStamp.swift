import BrokkrCommon

/// The Brokkr metadata put on every object the agent applies. Selection needs labels (prune finds a
/// stack's objects, health checks find a deployment object's workloads), so the ids are labels — the
/// original wrote them only as annotations. The user's own labels and annotations are kept.
///
/// Only the object's own metadata is stamped, never a pod template: a per-version value there would
/// make every new deployment object roll every workload. Pods are found through their workload's
/// selector instead (`WorkloadPods`).
public enum OwnershipStamp {
    public static let stackLabel = "k8s.brokkr.io/stack"
    public static let objectLabel = "brokkr.io/deployment-object-id"
    public static let checksumAnnotation = "k8s.brokkr.io/deployment-checksum"
    public static let ownerAnnotation = "brokkr.io/owner-id"
    public static let fieldManager = "brokkr-controller"

    public static func stamp(_ object: JSONValue, stackID: String, objectID: String, checksum: String, agentID: String) -> JSONValue {
        guard case .object(var o) = object else { return object }
        var metadata = o["metadata"]?.objectValue ?? [:]
        var labels = metadata["labels"]?.objectValue ?? [:]
        labels[stackLabel] = .string(stackID)
        labels[objectLabel] = .string(objectID)
        metadata["labels"] = .object(labels)
        var annotations = metadata["annotations"]?.objectValue ?? [:]
        annotations[checksumAnnotation] = .string(checksum)
        annotations[ownerAnnotation] = .string(agentID)
        annotations[stackLabel] = .string(stackID)
        annotations[objectLabel] = .string(objectID)
        metadata["annotations"] = .object(annotations)
        o["metadata"] = .object(metadata)
        return .object(o)
    }
}
