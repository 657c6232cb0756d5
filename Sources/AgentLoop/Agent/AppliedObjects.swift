import BrokkrCommon

/// The deployment object last applied per stack — what health checks watch.
public actor AppliedObjects {
    private var byStack: [String: String] = [:]
    private var restored = false

    public init() {}

    public func record(stackID: String, objectID: String, isDeletionMarker: Bool) {
        byStack[stackID] = isDeletionMarker ? nil : objectID
    }

    public var objectIDs: [String] { byStack.values.sorted() }

    /// `restore(from:agentID:)` the first time it is called; nil afterwards.
    public func restoreOnce(from kube: KubeClient, agentID: String) async throws -> Int? {
        guard !restored else { return nil }
        let stacks = try await restore(from: kube, agentID: agentID)
        restored = true
        return stacks
    }

    /// Rebuilds the set from what this agent stamped on the cluster's objects, so health reports resume
    /// after a restart: every top-level object carrying a stack label and this agent's owner annotation,
    /// one list per resource type. Where a stack's objects carry several deployment-object ids (an
    /// apply that stopped half-way), the most common one wins. Stacks recorded since are kept.
    @discardableResult
    public func restore(from kube: KubeClient, agentID: String) async throws -> Int {
        var counts: [String: [String: Int]] = [:]  // stack → object id → objects
        for resource in try await kube.allResources() where resource.verbs.contains("list") {
            guard let items = try? await kube.list(resource, labelSelector: OwnershipStamp.stackLabel) else { continue }
            for item in items {
                let metadata = item["metadata"]
                guard metadata?["ownerReferences"]?.arrayValue?.isEmpty ?? true,
                    metadata?["annotations"]?[OwnershipStamp.ownerAnnotation]?.stringValue == agentID,
                    let stack = metadata?["labels"]?[OwnershipStamp.stackLabel]?.stringValue,
                    let object = metadata?["labels"]?[OwnershipStamp.objectLabel]?.stringValue
                else { continue }
                counts[stack, default: [:]][object, default: 0] += 1
            }
        }
        for (stack, objects) in counts where byStack[stack] == nil {
            byStack[stack] = objects.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        }
        return counts.count
    }
}
