import BrokkrCommon

/// The Brokkr metadata put on every object the agent applies. Selection needs labels (prune finds a
/// stack's objects, health checks find a deployment object's pods), so the ids are labels — the
/// original wrote them only as annotations. The user's own labels and annotations are kept.
public enum OwnershipStamp {
    public static let stackLabel = "k8s.brokkr.io/stack"
    public static let objectLabel = "brokkr.io/deployment-object-id"
    public static let checksumAnnotation = "k8s.brokkr.io/deployment-checksum"
    public static let ownerAnnotation = "brokkr.io/owner-id"
    public static let fieldManager = "brokkr-controller"

    /// Kinds whose pods come from `spec.template`: their pod template gets the object label too.
    static let podTemplateKinds: Set<String> = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]

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
        if let kind = o["kind"]?.stringValue, podTemplateKinds.contains(kind),
           case .object(var spec)? = o["spec"], case .object(var template)? = spec["template"] {
            var templateMetadata = template["metadata"]?.objectValue ?? [:]
            var templateLabels = templateMetadata["labels"]?.objectValue ?? [:]
            templateLabels[objectLabel] = .string(objectID)
            templateMetadata["labels"] = .object(templateLabels)
            template["metadata"] = .object(templateMetadata)
            spec["template"] = .object(template)
            o["spec"] = .object(spec)
        }
        return .object(o)
    }
}
