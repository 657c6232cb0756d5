import BrokkrCommon
import Foundation

/// One served resource: a group/version/plural with its kind and scope, as discovery reports it.
public struct KubeResourceType: Sendable, Hashable {
    public var group: String
    public var version: String
    public var plural: String
    public var singular: String
    public var kind: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    public var verbs: [String]
    /// Has a `/status` subresource: writes to the main resource keep the stored status,
    /// writes to `/status` change only the status.
    public var hasStatus: Bool
    /// Has a `/scale` subresource (`spec.replicas`).
    public var hasScale: Bool
    /// Extra read-only subresources (e.g. `log` for pods).
    public var extraSubresources: [String]
    /// Set for resources defined by a CustomResourceDefinition.
    public var crdName: String?
    /// The CRD's `openAPIV3Schema` for this version, if any.
    public var schema: JSONValue?

    public init(
        group: String, version: String, plural: String, singular: String, kind: String, namespaced: Bool,
        shortNames: [String] = [], categories: [String] = [], verbs: [String] = KubeResourceType.standardVerbs,
        hasStatus: Bool = false, hasScale: Bool = false, extraSubresources: [String] = [], crdName: String? = nil,
        schema: JSONValue? = nil
    ) {
        self.group = group
        self.version = version
        self.plural = plural
        self.singular = singular
        self.kind = kind
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.verbs = verbs
        self.hasStatus = hasStatus
        self.hasScale = hasScale
        self.extraSubresources = extraSubresources
        self.crdName = crdName
        self.schema = schema
    }

    public static let standardVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    /// `apps/v1`, or `v1` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// Objects are stored once per group and plural, whatever version they were written in.
    public var storageKey: String { "\(group)/\(plural)" }
    public var isCore: Bool { group.isEmpty }

    /// The URL prefix of this group/version: `/api/v1` or `/apis/apps/v1`.
    public var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    /// The path of a collection (namespace nil for cluster-scoped or all-namespaces lists).
    public func collectionPath(namespace: String?) -> String {
        if namespaced, let namespace { return "\(groupVersionPath)/namespaces/\(namespace)/\(plural)" }
        return "\(groupVersionPath)/\(plural)"
    }

    public func objectPath(namespace: String?, name: String) -> String {
        "\(collectionPath(namespace: namespace))/\(name)"
    }
}

/// The resources every emulated cluster serves from the start.
enum BuiltinResources {
    static func make() -> [KubeResourceType] {
        var r: [KubeResourceType] = []
        func add(
            _ group: String, _ version: String, _ plural: String, _ singular: String, _ kind: String,
            namespaced: Bool = true, short: [String] = [], categories: [String] = [], status: Bool = false,
            scale: Bool = false, verbs: [String] = KubeResourceType.standardVerbs, extra: [String] = []
        ) {
            r.append(
                KubeResourceType(
                    group: group, version: version, plural: plural, singular: singular, kind: kind,
                    namespaced: namespaced, shortNames: short, categories: categories, verbs: verbs,
                    hasStatus: status, hasScale: scale, extraSubresources: extra))
        }
        let nsVerbs = ["create", "delete", "get", "list", "patch", "update", "watch"]
        // core/v1
        add("", "v1", "namespaces", "namespace", "Namespace", namespaced: false, short: ["ns"], status: true, verbs: nsVerbs)
        add("", "v1", "pods", "pod", "Pod", short: ["po"], categories: ["all"], status: true, extra: ["log"])
        add("", "v1", "services", "service", "Service", short: ["svc"], categories: ["all"], status: true)
        add("", "v1", "configmaps", "configmap", "ConfigMap", short: ["cm"])
        add("", "v1", "secrets", "secret", "Secret")
        add("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", short: ["sa"])
        add("", "v1", "events", "event", "Event", short: ["ev"])
        add("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", short: ["pvc"], status: true)
        add("", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", namespaced: false, short: ["pv"], status: true)
        add("", "v1", "endpoints", "endpoints", "Endpoints", short: ["ep"])
        add("", "v1", "nodes", "node", "Node", namespaced: false, short: ["no"], status: true)
        add("", "v1", "resourcequotas", "resourcequota", "ResourceQuota", short: ["quota"], status: true)
        add("", "v1", "limitranges", "limitrange", "LimitRange", short: ["limits"])
        // apps/v1
        add("apps", "v1", "deployments", "deployment", "Deployment", short: ["deploy"], categories: ["all"], status: true, scale: true)
        add("apps", "v1", "statefulsets", "statefulset", "StatefulSet", short: ["sts"], categories: ["all"], status: true, scale: true)
        add("apps", "v1", "daemonsets", "daemonset", "DaemonSet", short: ["ds"], categories: ["all"], status: true)
        add("apps", "v1", "replicasets", "replicaset", "ReplicaSet", short: ["rs"], categories: ["all"], status: true, scale: true)
        // batch/v1
        add("batch", "v1", "jobs", "job", "Job", categories: ["all"], status: true)
        add("batch", "v1", "cronjobs", "cronjob", "CronJob", short: ["cj"], categories: ["all"], status: true)
        // networking.k8s.io/v1
        add("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", short: ["ing"], status: true)
        add("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", short: ["netpol"])
        add("networking.k8s.io", "v1", "ingressclasses", "ingressclass", "IngressClass", namespaced: false)
        // rbac.authorization.k8s.io/v1
        let rbac = "rbac.authorization.k8s.io"
        add(rbac, "v1", "roles", "role", "Role")
        add(rbac, "v1", "rolebindings", "rolebinding", "RoleBinding")
        add(rbac, "v1", "clusterroles", "clusterrole", "ClusterRole", namespaced: false)
        add(rbac, "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", namespaced: false)
        // apiextensions.k8s.io/v1
        add(
            "apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition",
            namespaced: false, short: ["crd", "crds"], categories: ["api-extensions"], status: true)
        // policy/v1
        add("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", short: ["pdb"], status: true)
        // autoscaling/v2
        add(
            "autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler",
            short: ["hpa"], categories: ["all"], status: true)
        // storage.k8s.io/v1
        add("storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", namespaced: false, short: ["sc"])
        // Review APIs: create-only, answered and never stored (everything is allowed).
        add(
            "authorization.k8s.io", "v1", "selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview", namespaced: false,
            verbs: ["create"])
        add("authorization.k8s.io", "v1", "subjectaccessreviews", "subjectaccessreview", "SubjectAccessReview", namespaced: false, verbs: ["create"])
        add("authentication.k8s.io", "v1", "selfsubjectreviews", "selfsubjectreview", "SelfSubjectReview", namespaced: false, verbs: ["create"])
        // coordination.k8s.io/v1
        add("coordination.k8s.io", "v1", "leases", "lease", "Lease")
        return r
    }

    /// Groups in the order a real API server lists them in `/apis`.
    static let groupOrder = [
        "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
        "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io",
        "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io",
        "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io",
    ]
}

/// Orders Kubernetes version strings as the API server does: GA before beta before alpha,
/// higher numbers first (v2 > v1 > v1beta2 > v1beta1 > v1alpha1), anything else last by name.
func kubeVersionLess(_ a: String, _ b: String) -> Bool {
    func parse(_ v: String) -> (major: Int, stage: Int, minor: Int)? {
        guard v.hasPrefix("v") else { return nil }
        let rest = v.dropFirst()
        let digits = rest.prefix(while: { $0.isNumber })
        guard let major = Int(digits) else { return nil }
        let tail = rest.dropFirst(digits.count)
        if tail.isEmpty { return (major, 3, 0) }
        for (name, stage) in [("beta", 2), ("alpha", 1)] where tail.hasPrefix(name) {
            let n = tail.dropFirst(name.count)
            if let minor = Int(n) { return (major, stage, minor) }
        }
        return nil
    }
    // "less" means "sorts first" (higher priority).
    switch (parse(a), parse(b)) {
    case (let x?, let y?):
        if x.stage != y.stage { return x.stage > y.stage }
        if x.major != y.major { return x.major > y.major }
        return x.minor > y.minor
    case (_?, nil): return true
    case (nil, _?): return false
    default: return a < b
    }
}
