import BrokkrCommon
import Foundation
import Testing

@testable import KubeEmulator

/// Direct HTTP calls for what kubectl does not exercise.
@Suite struct HTTPAPITests {
    static func pod(_ name: String, labels: [String: String] = [:], namespace: String = "default", containers: [String] = ["app"]) -> JSONValue {
        var l: [String: JSONValue] = [:]
        for (k, v) in labels { l[k] = .string(v) }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": .object(l)],
            "spec": ["containers": .array(containers.map { ["name": .string($0), "image": "busybox:1.36"] })],
        ]
    }

    @Test func podStatusSubresource() async throws {
        try await withAPI { api, emu in
            let created = try await api.post("/api/v1/namespaces/default/pods", Self.pod("p1", labels: ["app": "x"]))
            #expect(created.status == 201)
            #expect(created.json["status"]?["phase"] == "Pending")
            // The emulated kubelet starts it right after the write.
            var pod = try await api.get("/api/v1/namespaces/default/pods/p1").json
            #expect(pod["status"]?["phase"] == "Running")
            #expect(pod["status"]?["containerStatuses"]?.arrayValue?.first?["ready"] == true)
            let ready = pod["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
            #expect(ready?["status"] == "True")

            // PUT /status: CrashLoopBackOff with a previous OOM kill.
            var status = KubePodStatus.crashLoopBackOff(pod, restartCount: 7, lastTerminationReason: "OOMKilled", exitCode: 137)
            pod["status"] = status
            let put = try await api.put("/api/v1/namespaces/default/pods/p1/status", pod)
            #expect(put.status == 200)
            let cs = try #require(put.json["status"]?["containerStatuses"]?.arrayValue?.first)
            #expect(cs["state"]?["waiting"]?["reason"] == "CrashLoopBackOff")
            #expect(cs["lastState"]?["terminated"]?["reason"] == "OOMKilled")
            #expect(cs["restartCount"] == 7)

            // PATCH /status (merge) with ImagePullBackOff; a spec change in the same patch is ignored.
            let patch: JSONValue = [
                "spec": ["activeDeadlineSeconds": 5],
                "status": [
                    "phase": "Pending",
                    "containerStatuses": [
                        [
                            "name": "app", "image": "busybox:1.36", "ready": false, "restartCount": 0,
                            "state": ["waiting": ["reason": "ImagePullBackOff", "message": "Back-off pulling image"]],
                        ]
                    ],
                ],
            ]
            let patched = try await api.patch("/api/v1/namespaces/default/pods/p1/status", patch)
            #expect(patched.status == 200)
            #expect(patched.json["status"]?["containerStatuses"]?.arrayValue?.first?["state"]?["waiting"]?["reason"] == "ImagePullBackOff")
            #expect(patched.json["spec"]?["activeDeadlineSeconds"] == nil)
            let viaStatus = try await api.get("/api/v1/namespaces/default/pods/p1/status")
            #expect(viaStatus.json["status"]?["phase"] == "Pending")

            // Writes to the main resource keep the stored status.
            var main = patched.json
            main["status"] = ["phase": "Failed"]
            main.setValue(["x": "y"], at: ["metadata", "annotations"])
            let replaced = try await api.put("/api/v1/namespaces/default/pods/p1", main)
            #expect(replaced.status == 200)
            #expect(replaced.json["status"]?["phase"] == "Pending")
            #expect(replaced.json["metadata"]?["annotations"]?["x"] == "y")

            // Unschedulable, through the library API.
            _ = try await api.post("/api/v1/namespaces/default/pods", Self.pod("p2"))
            let p2 = try #require(emu.cluster.get(apiVersion: "v1", kind: "Pod", namespace: "default", name: "p2"))
            status = KubePodStatus.unschedulable(p2)
            try emu.cluster.setStatus(apiVersion: "v1", kind: "Pod", namespace: "default", name: "p2", status: status)
            let p2Now = try await api.get("/api/v1/namespaces/default/pods/p2").json
            let scheduled = p2Now["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "PodScheduled" }
            #expect(scheduled?["status"] == "False")
            #expect(scheduled?["reason"] == "Unschedulable")
            #expect(p2Now["status"]?["phase"] == "Pending")

            // The status writes are recorded as their own managers.
            let managers = (p2Now["metadata"]?["managedFields"]?.arrayValue ?? []).map {
                "\($0["manager"]?.stringValue ?? ""):\($0["subresource"]?.stringValue ?? "")"
            }
            #expect(managers.contains("kubelet:status"))
        }
    }

    @Test func labelSelectorOperators() async throws {
        try await withAPI { api, _ in
            let specs: [(String, [String: String])] = [
                ("a", ["app": "web", "tier": "frontend"]),
                ("b", ["app": "web", "tier": "backend"]),
                ("c", ["app": "db", "legacy": "true"]),
                ("d", [:]),
            ]
            for (name, labels) in specs {
                let r = try await api.post("/api/v1/namespaces/default/pods", Self.pod(name, labels: labels))
                #expect(r.status == 201)
            }
            func names(_ selector: String) async throws -> [String] {
                let q = selector.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? selector
                let r = try await api.get("/api/v1/namespaces/default/pods?labelSelector=\(q)")
                #expect(r.status == 200, "\(selector): \(r.body)")
                return (r.json["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }
            }
            #expect(try await names("app=web") == ["a", "b"])
            #expect(try await names("app==web") == ["a", "b"])
            #expect(try await names("app!=web") == ["c", "d"])
            #expect(try await names("tier in (frontend, backend)") == ["a", "b"])
            #expect(try await names("app notin (web)") == ["c", "d"])
            #expect(try await names("legacy") == ["c"])
            #expect(try await names("!legacy") == ["a", "b", "d"])
            #expect(try await names("app=web,tier!=backend") == ["a"])
            #expect(try await names("app in (web,db),!tier") == ["c"])

            // All namespaces, as the agent's health check lists pods.
            let all = try await api.get("/api/v1/pods?labelSelector=app%3Dweb")
            #expect(all.json["kind"] == "PodList")
            #expect(all.json["items"]?.arrayValue?.count == 2)

            let bad = try await api.get("/api/v1/namespaces/default/pods?labelSelector=app%3D%3D%3Dx")
            #expect(bad.status == 400)
            #expect(bad.json["kind"] == "Status")
            #expect(bad.json["reason"] == "BadRequest")
        }
    }

    @Test func fieldSelectors() async throws {
        try await withAPI { api, emu in
            _ = try await api.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "other"]])
            _ = try await api.post("/api/v1/namespaces/default/pods", Self.pod("x"))
            _ = try await api.post("/api/v1/namespaces/other/pods", Self.pod("x", namespace: "other"))
            _ = try await api.post("/api/v1/namespaces/other/pods", Self.pod("y", namespace: "other"))
            let byName = try await api.get("/api/v1/pods?fieldSelector=metadata.name%3Dx")
            #expect(byName.json["items"]?.arrayValue?.count == 2)
            let byNS = try await api.get("/api/v1/pods?fieldSelector=metadata.namespace%3Dother,metadata.name!%3Dx")
            #expect(byNS.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } == ["y"])
            let phase = try await api.get("/api/v1/pods?fieldSelector=status.phase%3DRunning")
            #expect(phase.json["items"]?.arrayValue?.count == 3)

            emu.cluster.recordEvent(namespace: "default", involvedKind: "Pod", involvedName: "x", reason: "BackOff", message: "m", type: "Warning")
            emu.cluster.recordEvent(namespace: "default", involvedKind: "Pod", involvedName: "z", reason: "Pulled", message: "m")
            let events = try await api.get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dx")
            #expect(events.json["items"]?.arrayValue?.map { $0["reason"] } == ["BackOff"])
            let warnings = try await api.get("/api/v1/namespaces/default/events?fieldSelector=type%3DWarning")
            #expect(warnings.json["items"]?.arrayValue?.count == 1)

            let unsupported = try await api.get("/api/v1/pods?fieldSelector=spec.foo%3Dbar")
            #expect(unsupported.status == 400)
            #expect(unsupported.json["message"] == "field label not supported: spec.foo")
        }
    }

    @Test func propagationPolicies() async throws {
        try await withAPI { api, emu in
            func deploy(_ name: String) async throws {
                let r = try await api.apply(
                    "/apis/apps/v1/namespaces/default/deployments/\(name)",
                    deploymentYAML(replicas: 2, namespace: "default", name: name))
                #expect(r.status == 201, "\(r.body)")
            }
            func pods(_ app: String) -> [JSONValue] {
                emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "app=\(app)")
            }
            try await deploy("orphan")
            let owned = pods("orphan")
            #expect(owned.count == 2)
            #expect(owned.allSatisfy { $0["metadata"]?["ownerReferences"]?.arrayValue?.first?["kind"] == "ReplicaSet" })
            let orphaned = try await api.delete("/apis/apps/v1/namespaces/default/deployments/orphan", ["propagationPolicy": "Orphan"])
            #expect(orphaned.status == 200)
            #expect(orphaned.json["kind"] == "Status")
            #expect(orphaned.json["status"] == "Success")
            #expect(orphaned.json["details"]?["name"] == "orphan")
            // The ReplicaSet loses its owner and keeps its pods.
            #expect(pods("orphan").count == 2)
            let orphanSets = emu.cluster.list(apiVersion: "apps/v1", kind: "ReplicaSet", namespace: "default", labelSelector: "app=orphan")
            #expect(orphanSets.count == 1)
            #expect(orphanSets.allSatisfy { $0["metadata"]?["ownerReferences"] == nil })

            try await deploy("bg")
            let bg = try await api.delete("/apis/apps/v1/namespaces/default/deployments/bg?propagationPolicy=Background")
            #expect(bg.status == 200)
            #expect(pods("bg").isEmpty)

            try await deploy("fg")
            let fg = try await api.delete(
                "/apis/apps/v1/namespaces/default/deployments/fg", ["kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"])
            #expect(fg.status == 200)
            #expect(pods("fg").isEmpty)
            #expect(emu.cluster.get(apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "fg") == nil)

            // batch/v1 Jobs orphan their pods unless told otherwise, as the real API does.
            let job: JSONValue = [
                "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "once"],
                "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "main", "image": "busybox"]]]]],
            ]
            #expect(try await api.post("/apis/batch/v1/namespaces/default/jobs", job).status == 201)
            #expect(pods("once").isEmpty)  // labelled job-name, not app
            let jobPods = emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "job-name=once")
            #expect(jobPods.count == 1)
            _ = try await api.delete("/apis/batch/v1/namespaces/default/jobs/once")
            let left = emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "job-name=once")
            #expect(left.count == 1)
            #expect(left.first?["metadata"]?["ownerReferences"] == nil)

            let invalid = try await api.delete("/api/v1/namespaces/default/pods/x?propagationPolicy=Sometimes")
            #expect(invalid.status == 422 || invalid.status == 404)
        }
    }

    @Test func statusErrorBodies() async throws {
        try await withAPI { api, _ in
            let missing = try await api.get("/apis/apps/v1/namespaces/default/deployments/nope")
            #expect(missing.status == 404)
            #expect(missing.contentType.hasPrefix("application/json"))
            #expect(missing.json["kind"] == "Status")
            #expect(missing.json["apiVersion"] == "v1")
            #expect(missing.json["status"] == "Failure")
            #expect(missing.json["reason"] == "NotFound")
            #expect(missing.json["code"] == 404)
            #expect(missing.json["message"] == "deployments.apps \"nope\" not found")
            #expect(missing.json["details"]?["name"] == "nope")
            #expect(missing.json["details"]?["group"] == "apps")
            #expect(missing.json["details"]?["kind"] == "deployments")

            let cm: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "data": ["a": "1"]]
            #expect(try await api.post("/api/v1/namespaces/default/configmaps", cm).status == 201)
            let dup = try await api.post("/api/v1/namespaces/default/configmaps", cm)
            #expect(dup.status == 409)
            #expect(dup.json["reason"] == "AlreadyExists")
            #expect(dup.json["message"] == "configmaps \"c\" already exists")

            var stale = try await api.get("/api/v1/namespaces/default/configmaps/c").json
            let rv = stale["metadata"]?["resourceVersion"]
            stale["data"] = ["a": "2"]
            #expect(try await api.put("/api/v1/namespaces/default/configmaps/c", stale).status == 200)
            stale.setValue(rv, at: ["metadata", "resourceVersion"])
            stale["data"] = ["a": "3"]
            let conflict = try await api.put("/api/v1/namespaces/default/configmaps/c", stale)
            #expect(conflict.status == 409)
            #expect(conflict.json["reason"] == "Conflict")
            #expect(conflict.json["message"]?.stringValue?.contains("the object has been modified") == true)

            let noNS = try await api.post("/api/v1/namespaces/ghost/configmaps", cm)
            #expect(noNS.status == 404)
            #expect(noNS.json["message"] == "namespaces \"ghost\" not found")
            let noNSApply = try await api.apply(
                "/api/v1/namespaces/ghost/configmaps/c", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n", dryRun: true)
            #expect(noNSApply.status == 404)
            #expect(noNSApply.json["reason"] == "NotFound")

            let noManager = try await api.apply(
                "/api/v1/namespaces/default/configmaps/c", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n", manager: nil)
            #expect(noManager.status == 400)
            #expect(noManager.json["reason"] == "BadRequest")

            let invalid = try await api.apply(
                "/apis/apps/v1/namespaces/default/deployments/bad",
                deploymentYAML(namespace: "default", name: "bad").replacingOccurrences(of: "replicas: 2", with: "replicas: two"),
                dryRun: true)
            #expect(invalid.status == 422)
            #expect(invalid.json["reason"] == "Invalid")
            #expect(invalid.json["message"]?.stringValue?.hasPrefix("Deployment.apps \"bad\" is invalid: spec.replicas") == true)
            #expect(invalid.json["details"]?["causes"]?.arrayValue?.first?["field"] == "spec.replicas")

            let badName = try await api.post(
                "/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "Not_Valid"]])
            #expect(badName.status == 422)
            #expect(badName.json["message"]?.stringValue?.contains("metadata.name: Invalid value: \"Not_Valid\"") == true)

            let method = try await api.request("POST", "/api/v1/namespaces/default/configmaps/c", body: "{}")
            #expect(method.status == 405)
            #expect(method.json["reason"] == "MethodNotAllowed")

            let media = try await api.request("PATCH", "/api/v1/namespaces/default/configmaps/c", body: "{}", contentType: "text/plain")
            #expect(media.status == 415)
            #expect(media.json["reason"] == "UnsupportedMediaType")

            let unknown = try await api.get("/apis/example.com/v1/widgets")
            #expect(unknown.status == 404)
            #expect(unknown.json["kind"] == "Status")

            let wrongKind = try await api.apply("/api/v1/namespaces/default/configmaps/c", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: c\n")
            #expect(wrongKind.status == 400)

            let nameMismatch = try await api.apply(
                "/api/v1/namespaces/default/configmaps/c", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n")
            #expect(nameMismatch.status == 400)
        }
    }

    @Test func serverSideApplySemantics() async throws {
        try await withAPI { api, emu in
            let path = "/api/v1/namespaces/default/configmaps/settings"
            // Creates when absent; YAML body.
            let first = try await api.apply(
                path,
                """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                  labels: {a: "1", b: "2"}
                data:
                  x: "1"
                  y: "2"
                """, manager: "alice")
            #expect(first.status == 201)
            #expect(first.json["metadata"]?["uid"]?.stringValue?.isEmpty == false)
            #expect(first.json["metadata"]?["creationTimestamp"] != nil)

            // Another manager adds its own field; no conflict.
            let bob = try await api.apply(
                path, #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"z":"3"}}"#, manager: "bob")
            #expect(bob.status == 200)
            #expect(bob.json["data"] == ["x": "1", "y": "2", "z": "3"])

            // Same value from a second manager: shared ownership, no conflict.
            let shared = try await api.apply(
                path, #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"z":"3","x":"1"}}"#, manager: "bob")
            #expect(shared.status == 200)

            // alice drops y and label b: they are removed; x stays (bob co-owns it); z is bob's.
            let second = try await api.apply(
                path,
                """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                  labels: {a: "1"}
                data:
                  x: "1"
                """, manager: "alice")
            #expect(second.status == 200)
            #expect(second.json["data"] == ["x": "1", "z": "3"])
            #expect(second.json["metadata"]?["labels"] == ["a": "1"])

            // A conflicting value without force: 409 with causes naming the field and the manager.
            let conflict = try await api.apply(
                path, #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"z":"4"}}"#, manager: "alice")
            #expect(conflict.status == 409)
            #expect(conflict.json["reason"] == "Conflict")
            #expect(conflict.json["message"] == "Apply failed with 1 conflict: conflict with \"bob\": .data.z")
            let cause = conflict.json["details"]?["causes"]?.arrayValue?.first
            #expect(cause?["reason"] == "FieldManagerConflict")
            #expect(cause?["field"] == ".data.z")
            #expect(cause?["message"] == "conflict with \"bob\"")

            // Dry run with force: the answer shows the result, nothing is stored.
            let dry = try await api.apply(
                path, #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"z":"4"}}"#, manager: "alice", force: true,
                dryRun: true)
            #expect(dry.status == 200)
            #expect(dry.json["data"]?["z"] == "4")
            #expect(emu.cluster.get(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "settings")?["data"]?["z"] == "3")

            // Force moves ownership.
            let forced = try await api.apply(
                path, #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"z":"4"}}"#, manager: "alice", force: true)
            #expect(forced.status == 200)
            let entries = forced.json["metadata"]?["managedFields"]?.arrayValue ?? []
            let bobEntry = entries.first { $0["manager"] == "bob" }
            #expect(bobEntry?["fieldsV1"]?["f:data"]?["f:z"] == nil)
            #expect(bobEntry?["fieldsV1"]?["f:data"]?["f:x"] != nil)
            let aliceEntry = entries.first { $0["manager"] == "alice" }
            #expect(aliceEntry?["fieldsV1"]?["f:data"]?["f:z"] != nil)
            // alice applied only z this time: y, x and label a are no longer hers; x survives through bob.
            #expect(forced.json["data"] == ["x": "1", "z": "4"])
            #expect(forced.json["metadata"]?["labels"] == nil)
        }
    }

    @Test func applyMergesKeyedListsAndBumpsGenerationOnSpecChangesOnly() async throws {
        try await withAPI { api, emu in
            let path = "/apis/apps/v1/namespaces/default/deployments/web"
            let r = try await api.apply(path, deploymentYAML(namespace: "default"), manager: "brokkr-controller", force: true)
            #expect(r.status == 201, "\(r.body)")
            #expect(r.json["metadata"]?["generation"] == 1)

            // A sidecar container from another manager merges by name.
            let sidecar = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  namespace: default
                spec:
                  template:
                    spec:
                      containers:
                      - name: sidecar
                        image: envoy:1.30
                      - name: app
                        env:
                        - name: EXTRA
                          value: "yes"
                """
            let s = try await api.apply(path, sidecar, manager: "injector")
            #expect(s.status == 200, "\(s.body)")
            let containers = s.json["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []
            #expect(containers.compactMap { $0["name"]?.stringValue } == ["app", "sidecar"])
            let app = containers.first { $0["name"] == "app" }
            #expect(app?["image"] == "nginx:1.25")
            #expect(app?["env"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["MODE", "EXTRA"])
            #expect(app?["ports"]?.arrayValue?.first?["protocol"] == "TCP")
            #expect(s.json["metadata"]?["generation"] == 2)
            #expect(
                emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "app=web").allSatisfy {
                    $0["spec"]?["containers"]?.arrayValue?.count == 2
                })

            // Re-applying the original keeps the sidecar (owned by the injector).
            let again = try await api.apply(path, deploymentYAML(namespace: "default"), manager: "brokkr-controller", force: true)
            #expect(again.json["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.count == 2)
            #expect(again.json["metadata"]?["generation"] == 2)

            // Annotation-only change: generation stays.
            let annotated = try await api.patch(path, ["metadata": ["annotations": ["k8s.brokkr.io/stack": "s1"]]])
            #expect(annotated.status == 200)
            #expect(annotated.json["metadata"]?["generation"] == 2)
            #expect(annotated.json["metadata"]?["annotations"]?["k8s.brokkr.io/stack"] == "s1")

            // The merge-patch manager is recorded as an Update.
            let mf = annotated.json["metadata"]?["managedFields"]?.arrayValue ?? []
            #expect(mf.contains { $0["operation"] == "Update" && $0["fieldsV1"]?["f:metadata"]?["f:annotations"] != nil })
        }
    }

    @Test func deploymentControllerFollowsPodReadiness() async throws {
        try await withAPI { api, emu in
            let path = "/apis/apps/v1/namespaces/default/deployments/web"
            _ = try await api.apply(path, deploymentYAML(replicas: 4, namespace: "default"))
            var d = try await api.get(path).json
            #expect(d["status"]?["readyReplicas"] == 4)
            let available = d["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Available" }
            #expect(available?["status"] == "True")

            // Two pods crash: readiness drops below 75% and the Deployment is no longer Available.
            let pods = emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "app=web")
            #expect(pods.count == 4)
            for p in pods.prefix(2) {
                let name = p["metadata"]!["name"]!.stringValue!
                try emu.cluster.setStatus(apiVersion: "v1", kind: "Pod", namespace: "default", name: name, status: KubePodStatus.crashLoopBackOff(p))
            }
            d = try await api.get(path).json
            #expect(d["status"]?["readyReplicas"] == 2)
            #expect(d["status"]?["unavailableReplicas"] == 2)
            let unavailable = d["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Available" }
            #expect(unavailable?["status"] == "False")
            #expect(unavailable?["reason"] == "MinimumReplicasUnavailable")

            // Scale subresource.
            let scale = try await api.get(path + "/scale")
            #expect(scale.json["kind"] == "Scale")
            #expect(scale.json["spec"]?["replicas"] == 4)
            let scaled = try await api.patch(path + "/scale", ["spec": ["replicas": 1]])
            #expect(scaled.status == 200)
            #expect(emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "app=web").count == 1)

            // A deleted pod is replaced.
            let only = try #require(emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "app=web").first)
            let name = only["metadata"]!["name"]!.stringValue!
            _ = try await api.delete("/api/v1/namespaces/default/pods/\(name)")
            let replacement = emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "app=web")
            #expect(replacement.count == 1)
            #expect(replacement.first?["metadata"]?["name"]?.stringValue != name)
        }
    }

    /// The controllers act on what a write touched (their work queue): a Deployment's status follows
    /// its ReplicaSet's pods, and a new node gets a pod of every DaemonSet without any write to the
    /// DaemonSet itself.
    @Test func controllersReactToWritesOnWhatTheyOwnAndOnNodes() async throws {
        try await withAPI { api, emu in
            _ = try await api.apply("/apis/apps/v1/namespaces/default/daemonsets/agent", daemonSetYAML())
            #expect(emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "app=agent").count == 1)
            let node = try await api.post("/api/v1/nodes", ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "second-node"]])
            #expect(node.status == 201)
            #expect(emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "app=agent").count == 2)
            let status = try await api.get("/apis/apps/v1/namespaces/default/daemonsets/agent").json["status"]
            #expect(status?["desiredNumberScheduled"] == 2)

            // A pod status written by the kubelet reaches the Deployment two owners up.
            let path = "/apis/apps/v1/namespaces/default/deployments/web"
            _ = try await api.apply(path, deploymentYAML(replicas: 1, namespace: "default"))
            let pod = try #require(emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "app=web").first)
            try emu.cluster.setStatus(
                apiVersion: "v1", kind: "Pod", namespace: "default", name: pod["metadata"]!["name"]!.stringValue!,
                status: KubePodStatus.crashLoopBackOff(pod))
            let deployment = try await api.get(path).json
            #expect(deployment["status"]?["readyReplicas"] == nil)
            #expect(deployment["status"]?["unavailableReplicas"] == 1)
        }
    }

    @Test func jobControllerAndCompletion() async throws {
        try await withAPI { api, emu in
            let job: JSONValue = [
                "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "migrate"],
                "spec": [
                    "backoffLimit": 0, "template": ["spec": ["restartPolicy": "Never", "containers": [["name": "main", "image": "busybox"]]]],
                ],
            ]
            #expect(try await api.post("/apis/batch/v1/namespaces/default/jobs", job).status == 201)
            var j = try await api.get("/apis/batch/v1/namespaces/default/jobs/migrate").json
            #expect(j["status"]?["active"] == 1)
            #expect(j["spec"]?["selector"]?["matchLabels"]?["batch.kubernetes.io/controller-uid"] == j["metadata"]?["uid"])
            let pod = try #require(emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "job-name=migrate").first)
            let podName = pod["metadata"]!["name"]!.stringValue!
            #expect(podName.hasPrefix("migrate-"))

            var p = pod
            p["status"] = KubePodStatus.terminated(pod, succeeded: true)
            let put = try await api.put("/api/v1/namespaces/default/pods/\(podName)/status", p)
            #expect(put.status == 200)
            j = try await api.get("/apis/batch/v1/namespaces/default/jobs/migrate").json
            #expect(j["status"]?["succeeded"] == 1)
            #expect(j["status"]?["active"] == nil)
            let complete = j["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Complete" }
            #expect(complete?["status"] == "True")
            #expect(j["status"]?["completionTime"] != nil)

            // A failing job with backoffLimit 0 fails after one pod.
            var failing = job
            failing.setValue("fails", at: ["metadata", "name"])
            _ = try await api.post("/apis/batch/v1/namespaces/default/jobs", failing)
            let fp = try #require(emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "job-name=fails").first)
            try emu.cluster.setStatus(
                apiVersion: "v1", kind: "Pod", namespace: "default", name: fp["metadata"]!["name"]!.stringValue!,
                status: KubePodStatus.terminated(fp, succeeded: false, exitCode: 2))
            let fj = try await api.get("/apis/batch/v1/namespaces/default/jobs/fails").json
            let failed = fj["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Failed" }
            #expect(failed?["reason"] == "BackoffLimitExceeded")
            #expect(fj["status"]?["failed"] == 1)
        }
    }

    @Test func finalizersDelayDeletion() async throws {
        try await withAPI { api, emu in
            let cm: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "held", "finalizers": ["example.com/hold"]]]
            #expect(try await api.post("/api/v1/namespaces/default/configmaps", cm).status == 201)
            let del = try await api.delete("/api/v1/namespaces/default/configmaps/held")
            #expect(del.status == 200)
            #expect(del.json["metadata"]?["deletionTimestamp"] != nil)
            let still = try await api.get("/api/v1/namespaces/default/configmaps/held")
            #expect(still.status == 200)
            #expect(still.json["metadata"]?["deletionTimestamp"] != nil)
            let released = try await api.patch("/api/v1/namespaces/default/configmaps/held", ["metadata": ["finalizers": nil]])
            #expect(released.status == 200)
            #expect(try await api.get("/api/v1/namespaces/default/configmaps/held").status == 404)
            #expect(emu.cluster.get(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "held") == nil)
        }
    }

    @Test func namespaceDeletionIsTerminatingFirst() async throws {
        var options = KubeCluster.Options()
        options.namespaceDeletionDelay = 30
        try await withAPI(options: options) { api, emu in
            _ = try await api.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "tmp"]])
            _ = try await api.apply("/apis/apps/v1/namespaces/tmp/deployments/web", deploymentYAML(namespace: "tmp"))
            let del = try await api.delete("/api/v1/namespaces/tmp")
            #expect(del.status == 200)
            #expect(del.json["status"]?["phase"] == "Terminating")
            // Its objects are still there and can still be deleted one by one (as a pruning client does).
            #expect(try await api.get("/apis/apps/v1/namespaces/tmp/deployments/web").status == 200)
            let create = try await api.post(
                "/api/v1/namespaces/tmp/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "late"]])
            #expect(create.status == 403)
            #expect(create.json["reason"] == "Forbidden")
            #expect(create.json["message"]?.stringValue?.contains("because it is being terminated") == true)
            #expect(try await api.delete("/apis/apps/v1/namespaces/tmp/deployments/web").status == 200)
            emu.cluster.settle()
            #expect(try await api.get("/api/v1/namespaces/tmp").status == 404)
            #expect(emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "tmp").isEmpty)
        }
    }

    @Test func customResourcesClusterScopedWithSchema() async throws {
        try await withAPI { api, emu in
            let crd = """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: widgets.example.com
                spec:
                  group: example.com
                  scope: Cluster
                  names: {kind: Widget, plural: widgets}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema:
                      openAPIV3Schema:
                        type: object
                        properties:
                          spec:
                            type: object
                            required: [size]
                            properties:
                              size: {type: integer}
                              color: {type: string, enum: [red, blue]}
                """
            let c = try await api.apply("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", crd)
            #expect(c.status == 201, "\(c.body)")
            let discovery = try await api.get("/apis/example.com/v1")
            let res = discovery.json["resources"]?.arrayValue?.first { $0["name"] == "widgets" }
            #expect(res?["namespaced"] == false)
            #expect(res?["kind"] == "Widget")
            #expect(res?["singularName"] == "widget")
            let groups = try await api.get("/apis").json
            #expect(groups["groups"]?.arrayValue?.contains { $0["name"] == "example.com" } == true)

            let ok = try await api.apply(
                "/apis/example.com/v1/widgets/w1",
                """
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w1}
                spec: {size: 3, color: red, unknown: dropped}
                """)
            #expect(ok.status == 201, "\(ok.body)")
            #expect(ok.json["spec"] == ["size": 3, "color": "red"])
            let bad = try await api.apply(
                "/apis/example.com/v1/widgets/w2",
                """
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w2}
                spec: {size: big, color: green}
                """)
            #expect(bad.status == 422)
            #expect(bad.json["message"]?.stringValue?.contains("spec.size") == true)
            #expect(bad.json["message"]?.stringValue?.contains("spec.color: Unsupported value: \"green\"") == true)
            let list = try await api.get("/apis/example.com/v1/widgets")
            #expect(list.json["kind"] == "WidgetList")
            #expect(list.json["items"]?.arrayValue?.count == 1)

            _ = try await api.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
            #expect(try await api.get("/apis/example.com/v1/widgets").status == 404)
            #expect(emu.cluster.resourceTypes().allSatisfy { $0.group != "example.com" })
        }
    }

    @Test func podLogEndpoint() async throws {
        try await withAPI { api, emu in
            _ = try await api.post("/api/v1/namespaces/default/pods", Self.pod("multi", containers: ["a", "b"]))
            emu.cluster.setPodLog(namespace: "default", pod: "multi", container: "a", text: "1\n2\n3\n4\n")
            let tail = try await api.get("/api/v1/namespaces/default/pods/multi/log?container=a&tailLines=2")
            #expect(tail.status == 200)
            #expect(tail.contentType.hasPrefix("text/plain"))
            #expect(tail.body == "3\n4\n")
            let empty = try await api.get("/api/v1/namespaces/default/pods/multi/log?container=b")
            #expect(empty.status == 200)
            #expect(empty.body == "")
            let ambiguous = try await api.get("/api/v1/namespaces/default/pods/multi/log")
            #expect(ambiguous.status == 400)
            #expect(
                ambiguous.json["message"]?.stringValue?.contains("a container name must be specified for pod multi, choose one of: [a b]") == true)
            // The emulator-only endpoint sets logs too.
            _ = try await api.request("PUT", "/_emulator/logs/default/multi/b", body: "hello from b\n", contentType: "text/plain")
            #expect(try await api.get("/api/v1/namespaces/default/pods/multi/log?container=b").body == "hello from b\n")
        }
    }

    @Test func discoveryDocuments() async throws {
        try await withAPI { api, _ in
            let version = try await api.get("/version").json
            #expect(version["gitVersion"] == "v1.32.4")
            #expect(version["major"] == "1")
            let apiDoc = try await api.get("/api").json
            #expect(apiDoc["kind"] == "APIVersions")
            #expect(apiDoc["versions"] == ["v1"])
            let core = try await api.get("/api/v1").json
            #expect(core["kind"] == "APIResourceList")
            #expect(core["groupVersion"] == "v1")
            let pods = core["resources"]?.arrayValue?.first { $0["name"] == "pods" }
            #expect(pods?["singularName"] == "pod")
            #expect(pods?["namespaced"] == true)
            #expect(pods?["shortNames"] == ["po"])
            #expect(pods?["verbs"]?.arrayValue?.contains("list") == true)
            #expect(core["resources"]?.arrayValue?.contains { $0["name"] == "pods/log" } == true)
            #expect(core["resources"]?.arrayValue?.contains { $0["name"] == "pods/status" } == true)

            // Aggregated discovery is not implemented: the plain documents come back as application/json.
            let aggregated = try await api.request(
                "GET", "/apis", headers: ["Accept": "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"])
            #expect(aggregated.contentType == "application/json")
            #expect(aggregated.json["kind"] == "APIGroupList")
            let names = aggregated.json["groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            for g in ["apps", "batch", "networking.k8s.io", "rbac.authorization.k8s.io", "apiextensions.k8s.io", "policy", "autoscaling"] {
                #expect(names.contains(g), "\(g)")
            }
            let apps = try await api.get("/apis/apps").json
            #expect(apps["kind"] == "APIGroup")
            #expect(apps["preferredVersion"]?["groupVersion"] == "apps/v1")
            let appsV1 = try await api.get("/apis/apps/v1").json
            let deploy = appsV1["resources"]?.arrayValue?.first { $0["name"] == "deployments" }
            #expect(deploy?["kind"] == "Deployment")
            #expect(deploy?["shortNames"] == ["deploy"])
            let scale = appsV1["resources"]?.arrayValue?.first { $0["name"] == "deployments/scale" }
            #expect(scale?["kind"] == "Scale")
        }
    }

    @Test func requestLogFaultsAndWatch() async throws {
        try await withAPI { api, emu in
            emu.cluster.injectFault(
                KubeFault(method: "GET", pathContains: "/api/v1/pods", code: 503, reason: "ServiceUnavailable", message: "try later", times: 1))
            let failed = try await api.get("/api/v1/pods")
            #expect(failed.status == 503)
            #expect(failed.json["reason"] == "ServiceUnavailable")
            #expect(try await api.get("/api/v1/pods").status == 200)
            let log = emu.cluster.requests().filter { $0.path == "/api/v1/pods" }.map(\.status)
            #expect(log == [503, 200])

            // A watch streams the current objects, then changes.
            _ = try await api.post("/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "w1"]])
            async let watched = api.get("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dw1")
            try await Task.sleep(nanoseconds: 300_000_000)
            _ = try await api.delete("/api/v1/namespaces/default/configmaps/w1")
            let lines = try await watched.body.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
            #expect(lines.map { $0["type"] } == ["ADDED", "DELETED"])
            #expect(lines.allSatisfy { $0["object"]?["metadata"]?["name"] == "w1" })
        }
    }
}
