import BrokkrCommon
import Foundation
import Testing

@testable import KubeEmulator

/// The calls the Brokkr agent makes (spec 06 §6, §8-§10, §14), made the way kube-rs makes them.
@Suite struct AgentFlowTests {
    /// kube-rs `Discovery::run`: every served group version and its recommended (non-subresource) resources.
    static func discover(_ api: API) async throws -> [(path: String, resource: JSONValue)] {
        var out: [(String, JSONValue)] = []
        let core = try await api.get("/api").json
        for v in core["versions"]?.arrayValue ?? [] {
            let list = try await api.get("/api/\(v.stringValue!)").json
            for r in list["resources"]?.arrayValue ?? [] where !(r["name"]?.stringValue ?? "/").contains("/") {
                out.append(("/api/\(v.stringValue!)", r))
            }
        }
        let groups = try await api.get("/apis").json
        for g in groups["groups"]?.arrayValue ?? [] {
            for v in g["versions"]?.arrayValue ?? [] {
                let gv = v["groupVersion"]!.stringValue!
                let list = try await api.get("/apis/\(gv)").json
                for r in list["resources"]?.arrayValue ?? [] where !(r["name"]?.stringValue ?? "/").contains("/") {
                    out.append(("/apis/\(gv)", r))
                }
            }
        }
        return out
    }

    static func annotated(_ yaml: String, stack: String, checksum: String) throws -> JSONValue {
        var obj = try JSONValue.parseYAML(yaml)
        obj.setValue(
            [
                "k8s.brokkr.io/stack": .string(stack), "k8s.brokkr.io/deployment-checksum": .string(checksum),
                "brokkr.io/deployment-object-id": "do-1", "brokkr.io/owner-id": "agent-1",
                "k8s.brokkr.io/last-config-applied": "DynamicObject { types: Some(TypeMeta { .. }) }",
            ], at: ["metadata", "annotations"])
        return obj
    }

    static func objectPath(_ obj: JSONValue, _ discovery: [(path: String, resource: JSONValue)]) throws -> String {
        let apiVersion = obj["apiVersion"]!.stringValue!
        let kind = obj["kind"]!.stringValue!
        let base = apiVersion.contains("/") ? "/apis/\(apiVersion)" : "/api/\(apiVersion)"
        let r = try #require(discovery.first { $0.path == base && $0.resource["kind"]?.stringValue == kind })
        let plural = r.resource["name"]!.stringValue!
        let name = obj["metadata"]!["name"]!.stringValue!
        if r.resource["namespaced"] == true {
            return "\(base)/namespaces/\(obj["metadata"]?["namespace"]?.stringValue ?? "default")/\(plural)/\(name)"
        }
        return "\(base)/\(plural)/\(name)"
    }

    func ssa(
        _ api: API, _ obj: JSONValue, _ discovery: [(path: String, resource: JSONValue)], manager: String = "brokkr-controller", dryRun: Bool = false
    ) async throws -> API.Reply {
        let path = try Self.objectPath(obj, discovery)
        return try await api.request(
            "PATCH", path + "?fieldManager=\(manager)&force=true" + (dryRun ? "&dryRun=All" : ""),
            body: obj.kubeSerialized(), contentType: "application/apply-patch+yaml")
    }

    @Test func deployValidatePruneAndDeletionMarker() async throws {
        try await withAPI { api, emu in
            let discovery = try await Self.discover(api)
            #expect(discovery.contains { $0.resource["name"] == "deployments" })
            #expect(!discovery.contains { ($0.resource["name"]?.stringValue ?? "").contains("/") })

            let ns = try Self.annotated(namespaceYAML, stack: "s1", checksum: "c1")
            let deploy = try Self.annotated(deploymentYAML(), stack: "s1", checksum: "c1")
            let cmA = try Self.annotated(configMapYAML, stack: "s1", checksum: "c1")
            let cmB = try Self.annotated(configMapYAML.replacingOccurrences(of: "web-config", with: "extra"), stack: "s1", checksum: "c1")

            // Priority phase, then a dry-run validation of the rest, then the real applies.
            #expect(try await ssa(api, ns, discovery).status == 201)
            for obj in [deploy, cmA, cmB] {
                let r = try await ssa(api, obj, discovery, manager: "validation", dryRun: true)
                #expect(r.status == 201, "\(r.body)")
            }
            #expect(emu.cluster.get(apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "web-config") == nil)
            for obj in [ns, deploy, cmA, cmB] {
                let r = try await ssa(api, obj, discovery)
                #expect(r.status == 200 || r.status == 201, "\(r.body)")
            }
            let stored = try #require(emu.cluster.get(apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "web-config"))
            #expect(stored["metadata"]?["annotations"]?["k8s.brokkr.io/stack"] == "s1")
            #expect(stored["metadata"]?["managedFields"]?.arrayValue?.map { $0["manager"] } == ["brokkr-controller"])

            // Health: pods carry the deployment-object label from the template.
            let health = try await api.get("/api/v1/pods?labelSelector=brokkr.io%2Fdeployment-object-id%3D11111111-2222-3333-4444-555555555555")
            #expect(health.json["items"]?.arrayValue?.count == 2)

            // Prune with a new checksum: list every resource cluster-wide, delete stack objects with another checksum
            // and no owner references.
            func prune(stack: String, checksum: String) async throws -> [Int] {
                var statuses: [Int] = []
                var matches: [(String, JSONValue)] = []
                for (base, r) in discovery where (r["verbs"]?.arrayValue ?? []).contains("list") {
                    let list = try await api.get("\(base)/\(r["name"]!.stringValue!)")
                    for item in list.json["items"]?.arrayValue ?? [] {
                        guard item["metadata"]?["annotations"]?["k8s.brokkr.io/stack"]?.stringValue == stack else { continue }
                        if !(item["metadata"]?["ownerReferences"]?.arrayValue ?? []).isEmpty { continue }
                        if item["metadata"]?["annotations"]?["k8s.brokkr.io/deployment-checksum"]?.stringValue == checksum { continue }
                        var typed = item
                        typed["apiVersion"] = .string(base.hasPrefix("/api/") ? String(base.dropFirst(5)) : String(base.dropFirst(6)))
                        typed["kind"] = r["kind"]
                        matches.append((try Self.objectPath(typed, discovery), item))
                    }
                }
                for (path, _) in matches {
                    statuses.append(try await api.delete(path, ["kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1"]).status)
                }
                return statuses
            }
            // New DO (c2) holds the namespace and ConfigMap A only.
            for obj in [
                try Self.annotated(namespaceYAML, stack: "s1", checksum: "c2"), try Self.annotated(configMapYAML, stack: "s1", checksum: "c2"),
            ] {
                #expect(try await ssa(api, obj, discovery).status == 200)
            }
            let pruned = try await prune(stack: "s1", checksum: "c2")
            #expect(pruned == [200, 200])
            #expect(emu.cluster.get(apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "extra") == nil)
            #expect(emu.cluster.get(apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web") == nil)
            #expect(emu.cluster.get(apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "web-config") != nil)
            #expect(emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "shop").isEmpty)

            // Deletion marker (empty DO): everything of the stack goes, namespace included, and deleting the
            // namespace before its objects still lets those deletes succeed.
            _ = try await ssa(api, try Self.annotated(deploymentYAML(), stack: "s1", checksum: "c2"), discovery)
            let marker = try await prune(stack: "s1", checksum: "c3")
            #expect(marker.allSatisfy { $0 == 200 }, "\(marker)")
            #expect(marker.count == 3)
            emu.cluster.settle()
            #expect(emu.cluster.get(apiVersion: "v1", kind: "Namespace", name: "shop") == nil)
        }
    }

    @Test func validationFailureAndRollback() async throws {
        try await withAPI { api, emu in
            let discovery = try await Self.discover(api)
            let ns = try Self.annotated(namespaceYAML.replacingOccurrences(of: "shop", with: "ns-new"), stack: "s", checksum: "c")
            #expect(try await ssa(api, ns, discovery).status == 201)
            let bad = try Self.annotated(
                deploymentYAML(namespace: "ns-new").replacingOccurrences(of: "replicas: 2", with: "replicas: \"two\""), stack: "s", checksum: "c")
            let r = try await ssa(api, bad, discovery, manager: "validation", dryRun: true)
            #expect(r.status == 422)
            #expect(r.json["reason"] == "Invalid")
            // Dry-run into a namespace that does not exist is a 404.
            let elsewhere = try Self.annotated(configMapYAML.replacingOccurrences(of: "shop", with: "missing"), stack: "s", checksum: "c")
            let nf = try await ssa(api, elsewhere, discovery, manager: "validation", dryRun: true)
            #expect(nf.status == 404)
            #expect(nf.json["message"] == "namespaces \"missing\" not found")
            // Rollback.
            #expect(try await api.delete("/api/v1/namespaces/ns-new", [:]).status == 200)
            emu.cluster.settle()
            #expect(try await api.get("/api/v1/namespaces/ns-new").status == 404)
            #expect(emu.cluster.list(apiVersion: "apps/v1", kind: "Deployment").isEmpty)
        }
    }

    @Test func diagnosticsHealthAndShipwrightBuild() async throws {
        try await withAPI { api, emu in
            let discovery = try await Self.discover(api)
            let pod: JSONValue = [
                "apiVersion": "v1", "kind": "Pod",
                "metadata": ["name": "api-0", "namespace": "default", "labels": ["brokkr.io/deployment-object-id": "do-9"]],
                "spec": ["containers": [["name": "main", "image": "app:1"]], "initContainers": [["name": "init", "image": "init:1"]]],
            ]
            #expect(try await ssa(api, pod, discovery).status == 201)
            let live = try #require(emu.cluster.get(apiVersion: "v1", kind: "Pod", namespace: "default", name: "api-0"))
            try emu.cluster.setStatus(
                apiVersion: "v1", kind: "Pod", namespace: "default", name: "api-0",
                status: KubePodStatus.crashLoopBackOff(live, restartCount: 3))
            emu.cluster.setPodLog(
                namespace: "default", pod: "api-0", container: "main", text: (1...150).map { "line \($0)" }.joined(separator: "\n") + "\n")
            emu.cluster.recordEvent(
                namespace: "default", involvedKind: "Pod", involvedName: "api-0", reason: "BackOff",
                message: "Back-off restarting failed container main", type: "Warning")

            let pods = try await api.get("/api/v1/namespaces/default/pods?labelSelector=brokkr.io%2Fdeployment-object-id%3Ddo-9").json
            let p = try #require(pods["items"]?.arrayValue?.first)
            #expect(p["status"]?["containerStatuses"]?.arrayValue?.first?["state"]?["waiting"]?["reason"] == "CrashLoopBackOff")
            #expect(p["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }?["status"] == "False")
            let events = try await api.get("/api/v1/namespaces/default/events").json
            #expect(events["items"]?.arrayValue?.contains { $0["involvedObject"]?["name"] == "api-0" && $0["lastTimestamp"] != nil } == true)
            let logs = try await api.get("/api/v1/namespaces/default/pods/api-0/log?container=main&tailLines=100")
            #expect(logs.body.split(separator: "\n").count == 100)
            #expect(logs.body.hasPrefix("line 51\n"))

            // Shipwright: CRDs discoverable, Build applied, BuildRun created and polled.
            for doc in try JSONValue.parseYAMLDocuments(shipwrightCRDs) {
                #expect(try await ssa(api, doc, discovery).status == 201)
            }
            let discovery2 = try await Self.discover(api)
            #expect(discovery2.contains { $0.path == "/apis/shipwright.io/v1beta1" && $0.resource["kind"] == "BuildRun" })
            let build: JSONValue = [
                "apiVersion": "shipwright.io/v1beta1", "kind": "Build", "metadata": ["name": "app", "namespace": "default"],
                "spec": ["source": ["type": "Git", "git": ["url": "https://example.com/x.git"]]],
            ]
            #expect(try await ssa(api, build, discovery2, manager: "brokkr-agent").status == 201)
            let run: JSONValue = [
                "apiVersion": "shipwright.io/v1beta1", "kind": "BuildRun",
                "metadata": [
                    "name": "app-1234abcd", "namespace": "default",
                    "labels": ["brokkr.io/work-order-id": "1234abcd-x", "shipwright.io/build": "app"],
                ],
                "spec": ["build": ["name": "app"]],
            ]
            let created = try await api.post("/apis/shipwright.io/v1beta1/namespaces/default/buildruns", run)
            #expect(created.status == 201)
            #expect(created.json["status"] == nil)
            #expect(try await api.post("/apis/shipwright.io/v1beta1/namespaces/default/buildruns", run).json["reason"] == "AlreadyExists")
            try emu.cluster.setStatus(
                apiVersion: "shipwright.io/v1beta1", kind: "BuildRun", namespace: "default", name: "app-1234abcd",
                status: [
                    "conditions": [["type": "Succeeded", "status": "False", "reason": "Failed"]],
                    "failureDetails": ["reason": "GitCloneFailed", "message": "auth"],
                ])
            let polled = try await api.get("/apis/shipwright.io/v1beta1/namespaces/default/buildruns/app-1234abcd").json
            #expect(polled["status"]?["failureDetails"]?["reason"] == "GitCloneFailed")
        }
    }

    @Test func controllersCanBeSkippedPerObject() async throws {
        try await withAPI { api, emu in
            let yaml = deploymentYAML(namespace: "default").replacingOccurrences(
                of: "  labels:\n    app: web\nspec:",
                with: "  labels:\n    app: web\n  annotations:\n    \(KubeCluster.skipControllersAnnotation): \"true\"\nspec:")
            let r = try await api.apply("/apis/apps/v1/namespaces/default/deployments/web", yaml)
            #expect(r.status == 201, "\(r.body)")
            #expect(emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default").isEmpty)
            var d = r.json
            d["status"] = ["replicas": 2, "conditions": [["type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"]]]
            let put = try await api.put("/apis/apps/v1/namespaces/default/deployments/web/status", d)
            #expect(put.status == 200)
            let after = try await api.get("/apis/apps/v1/namespaces/default/deployments/web").json
            #expect(after["status"]?["conditions"]?.arrayValue?.first?["reason"] == "ProgressDeadlineExceeded")
        }
    }
}
