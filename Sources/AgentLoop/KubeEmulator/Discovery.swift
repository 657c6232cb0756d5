import BrokkrCommon
import Foundation

/// Legacy (non-aggregated) discovery documents. Clients that ask for aggregated discovery
/// (`application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`) get these too, served as plain
/// `application/json`, and fall back to walking the group versions.
extension KubeCluster {
    func apiVersionsDocument() -> JSONValue {
        [
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// Non-core groups, in the order a real server lists them (built-ins first, then CRD groups by name).
    func groupNames() -> [String] {
        let groups = Set(allTypes.map { $0.group }.filter { !$0.isEmpty })
        let builtin = BuiltinResources.groupOrder.filter { groups.contains($0) }
        let rest = groups.subtracting(builtin).sorted()
        return builtin + rest
    }

    func versions(ofGroup group: String) -> [String] {
        Array(Set(allTypes.filter { $0.group == group }.map { $0.version })).sorted(by: kubeVersionLess)
    }

    func groupEntry(_ group: String) -> JSONValue {
        let versions = versions(ofGroup: group)
        let entries: [JSONValue] = versions.map { ["groupVersion": .string("\(group)/\($0)"), "version": .string($0)] }
        return [
            "name": .string(group),
            "versions": .array(entries),
            "preferredVersion": entries.first ?? .null,
        ]
    }

    func groupListDocument() -> JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groupNames().map { groupEntry($0) })]
    }

    func groupDocument(_ group: String) -> JSONValue? {
        guard allTypes.contains(where: { $0.group == group }) else { return nil }
        var g = groupEntry(group)
        g["kind"] = "APIGroup"
        g["apiVersion"] = "v1"
        return g
    }

    func resourceListDocument(group: String, version: String) -> JSONValue {
        var resources: [JSONValue] = []
        let types = allTypes.filter { $0.group == group && $0.version == version }.sorted { $0.plural < $1.plural }
        for rt in types {
            var r: [String: JSONValue] = [
                "name": .string(rt.plural),
                "singularName": .string(rt.singular),
                "namespaced": .bool(rt.namespaced),
                "kind": .string(rt.kind),
                "verbs": .array(rt.verbs.map { .string($0) }),
                "storageVersionHash": .string(String(KubePodStatus.hex(rt.storageKey, 11).prefix(11))),
            ]
            if !rt.shortNames.isEmpty { r["shortNames"] = .array(rt.shortNames.map { .string($0) }) }
            if !rt.categories.isEmpty { r["categories"] = .array(rt.categories.map { .string($0) }) }
            resources.append(.object(r))
            for sub in rt.extraSubresources {
                resources.append([
                    "name": .string("\(rt.plural)/\(sub)"), "singularName": "", "namespaced": .bool(rt.namespaced),
                    "kind": .string(rt.kind), "verbs": ["get"],
                ])
            }
            if rt.hasScale {
                resources.append([
                    "name": .string("\(rt.plural)/scale"), "singularName": "", "namespaced": .bool(rt.namespaced),
                    "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"],
                ])
            }
            if rt.hasStatus {
                resources.append([
                    "name": .string("\(rt.plural)/status"), "singularName": "", "namespaced": .bool(rt.namespaced),
                    "kind": .string(rt.kind), "verbs": ["get", "patch", "update"],
                ])
            }
            if rt.plural == "namespaces" {
                resources.append(["name": "namespaces/finalize", "singularName": "", "namespaced": false, "kind": "Namespace", "verbs": ["update"]])
            }
        }
        return [
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
            "resources": .array(resources),
        ]
    }
}

/// A minimal OpenAPI v3 surface: one document per built-in group version, holding only the PATCH
/// operations with their query parameters. That is what kubectl reads to learn that the server validates
/// fields itself (`fieldValidation`), so `kubectl apply` works without `--validate=false`.
/// Custom resources are not listed; kubectl then uses the core/v1 document for them, as it does for CRDs.
extension KubeCluster {
    func openAPIGroupVersions() -> [String] {
        var gvs = Set<String>()
        for rt in builtinTypes { gvs.insert(rt.group.isEmpty ? "api/\(rt.version)" : "apis/\(rt.group)/\(rt.version)") }
        return gvs.sorted()
    }

    func openAPIV3Root() -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for gv in openAPIGroupVersions() {
            let hash = KubePodStatus.hex(openAPIV3Document(gv)?.kubeSerialized() ?? gv, 32)
            paths[gv] = ["serverRelativeURL": .string("/openapi/v3/\(gv)?hash=\(hash.uppercased())")]
        }
        return ["paths": .object(paths)]
    }

    func openAPIV3Document(_ gv: String) -> JSONValue? {
        guard openAPIGroupVersions().contains(gv) else { return nil }
        let parts = gv.split(separator: "/").map(String.init)
        let (group, version) = parts[0] == "api" ? ("", parts[1]) : (parts[1], parts[2])
        let params: JSONValue = .array(
            ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"].map { name in
                [
                    "name": .string(name), "in": "query", "description": .string(name),
                    "schema": ["type": name == "force" ? "boolean" : "string", "uniqueItems": true],
                ]
            })
        var paths: [String: JSONValue] = [:]
        for rt in builtinTypes where rt.group == group && rt.version == version {
            let path =
                rt.namespaced
                ? "/\(gv)/namespaces/{namespace}/\(rt.plural)/{name}"
                : "/\(gv)/\(rt.plural)/{name}"
            paths[path] = [
                "patch": [
                    "tags": .array([.string(group.isEmpty ? "core_\(version)" : "\(group)_\(version)")]),
                    "description": .string("partially update the specified \(rt.kind)"),
                    "operationId": .string("patch\(rt.kind)"),
                    "parameters": params,
                    "responses": ["200": ["description": "OK"], "201": ["description": "Created"]],
                    "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": ["group": .string(group), "version": .string(version), "kind": .string(rt.kind)],
                ],
                "parameters": [
                    ["name": "name", "in": "path", "required": true, "schema": ["type": "string", "uniqueItems": true]]
                ],
            ]
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": .string(options.gitVersion)],
            "paths": .object(paths),
            "components": ["schemas": .object([:])],
        ]
    }
}
