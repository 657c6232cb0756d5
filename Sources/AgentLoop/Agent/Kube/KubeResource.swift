/// A served resource type, from API discovery.
public struct KubeResource: Sendable, Hashable {
    public let group: String
    public let version: String
    public let kind: String
    public let plural: String
    public let namespaced: Bool
    public let verbs: Set<String>

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The collection path, in a namespace or across the cluster.
    public func path(namespace: String?) -> String {
        let base = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace { return "\(base)/namespaces/\(namespace)/\(plural)" }
        return "\(base)/\(plural)"
    }
}
