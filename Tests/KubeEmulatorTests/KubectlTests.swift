import Foundation
import Testing

@testable import KubeEmulator

/// The emulator driven by the real kubectl (/usr/bin/kubectl) over HTTP.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/kubectl")))
struct KubectlTests {
    @Test func serverSideApplyOfAMultiDocumentManifest() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            let path = try k.file("app.yaml", appManifest)
            let r = try await k.run("apply", "--server-side", "-f", path)
            #expect(r.code == 0, "\(r.stderr)")
            #expect(r.stdout.contains("namespace/shop serverside-applied"))
            #expect(r.stdout.contains("deployment.apps/web serverside-applied"))
            #expect(r.stdout.contains("service/web serverside-applied"))
            #expect(r.stdout.contains("configmap/web-config serverside-applied"))

            // The applies were real SSA PATCHes, with kubectl's own validation satisfied by the server.
            let patches = emu.cluster.requests().filter { $0.method == "PATCH" }
            #expect(patches.count == 4)
            #expect(patches.allSatisfy { $0.contentType == "application/apply-patch+yaml" && $0.query["fieldManager"] == "kubectl" })
            #expect(patches.map(\.path).contains("/apis/apps/v1/namespaces/shop/deployments/web"))

            let deploys = try await k.json("get", "deploy", "-n", "shop", "-o", "json", "--show-managed-fields")
            let d = try #require(deploys["items"]?.arrayValue?.first)
            #expect(d["metadata"]?["name"] == "web")
            #expect(d["metadata"]?["generation"] == 1)
            #expect(d["spec"]?["replicas"] == 2)
            #expect(d["status"]?["readyReplicas"] == 2)
            #expect(d["status"]?["availableReplicas"] == 2)
            #expect(d["status"]?["observedGeneration"] == 1)
            let managers = (d["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue }
            #expect(managers.contains("kubectl"))

            let pods = try await k.run("get", "pods", "-l", "app=web", "-n", "shop")
            #expect(pods.code == 0)
            let podLines = pods.stdout.split(separator: "\n").dropFirst()
            #expect(podLines.count == 2)
            #expect(podLines.allSatisfy { $0.contains("Running") && $0.contains("1/1") && $0.hasPrefix("web-") })
            #expect(pods.stdout.contains("READY") && pods.stdout.contains("STATUS"))

            let all = try await k.run("get", "pods", "-A")
            #expect(all.stdout.contains("NAMESPACE"))
            #expect(all.stdout.split(separator: "\n").filter { $0.hasPrefix("shop ") }.count == 2)

            let svc = try await k.json("get", "svc", "web", "-n", "shop", "-o", "json")
            #expect(svc["spec"]?["clusterIP"]?.stringValue?.hasPrefix("10.96.") == true)
            let cm = try await k.json("get", "configmap", "web-config", "-n", "shop", "-o", "json")
            #expect(cm["data"]?["greeting"] == "hello")
        }
    }

    @Test func reapplyWithChangesBumpsGenerationAndRollsPods() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            _ = try await k.run("apply", "--server-side", "-f", try k.file("app.yaml", appManifest))
            let before = try await k.json("get", "deploy", "web", "-n", "shop", "-o", "json")
            let oldPods = try await k.json("get", "pods", "-n", "shop", "-l", "app=web", "-o", "json")

            // Same manifest again: nothing changes, not even the resourceVersion.
            _ = try await k.run("apply", "--server-side", "-f", try k.file("app.yaml", appManifest))
            let same = try await k.json("get", "deploy", "web", "-n", "shop", "-o", "json")
            #expect(same["metadata"]?["resourceVersion"] == before["metadata"]?["resourceVersion"])
            #expect(same["metadata"]?["generation"] == 1)

            let changed = [namespaceYAML, deploymentYAML(replicas: 3, image: "nginx:1.27"), serviceYAML, configMapYAML].joined(separator: "\n---\n")
            let r = try await k.run("apply", "--server-side", "-f", try k.file("app2.yaml", changed))
            #expect(r.code == 0, "\(r.stderr)")
            let after = try await k.json("get", "deploy", "web", "-n", "shop", "-o", "json")
            #expect(after["metadata"]?["generation"] == 2)
            #expect(after["status"]?["observedGeneration"] == 2)
            #expect(after["status"]?["replicas"] == 3)
            #expect(after["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "nginx:1.27")

            let newPods = try await k.json("get", "pods", "-n", "shop", "-l", "app=web", "-o", "json")
            let images = (newPods["items"]?.arrayValue ?? []).compactMap { $0["spec"]?["containers"]?.arrayValue?.first?["image"]?.stringValue }
            #expect(images == ["nginx:1.27", "nginx:1.27", "nginx:1.27"])
            let oldNames = Set((oldPods["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue })
            let newNames = Set((newPods["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue })
            #expect(oldNames.isDisjoint(with: newNames))

            // A metadata-only change does not bump the generation.
            let labelled = try await k.run("label", "deploy", "web", "-n", "shop", "tier=frontend")
            #expect(labelled.code == 0, "\(labelled.stderr)")
            let relabelled = try await k.json("get", "deploy", "web", "-n", "shop", "-o", "json")
            #expect(relabelled["metadata"]?["generation"] == 2)
            #expect(relabelled["metadata"]?["labels"]?["tier"] == "frontend")
        }
    }

    @Test func fieldManagerConflictsAndForceConflicts() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            _ = try await k.run("apply", "--server-side", "-f", try k.file("app.yaml", appManifest))
            let scale = try k.file(
                "scale.yaml",
                """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  namespace: shop
                spec:
                  replicas: 5
                """)
            let conflict = try await k.run("apply", "--server-side", "--field-manager=autoscaler", "-f", scale)
            #expect(conflict.code != 0)
            #expect(conflict.stderr.contains("Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas"))
            #expect(conflict.stderr.contains("--force-conflicts"))
            let unchanged = try await k.json("get", "deploy", "web", "-n", "shop", "-o", "json")
            #expect(unchanged["spec"]?["replicas"] == 2)

            let forced = try await k.run("apply", "--server-side", "--field-manager=autoscaler", "--force-conflicts", "-f", scale)
            #expect(forced.code == 0, "\(forced.stderr)")
            let d = try await k.json("get", "deploy", "web", "-n", "shop", "-o", "json", "--show-managed-fields")
            #expect(d["spec"]?["replicas"] == 5)
            #expect(d["status"]?["replicas"] == 5)
            let entries = d["metadata"]?["managedFields"]?.arrayValue ?? []
            let autoscaler = try #require(entries.first { $0["manager"] == "autoscaler" })
            #expect(autoscaler["operation"] == "Apply")
            #expect(autoscaler["fieldsV1"]?["f:spec"]?["f:replicas"] != nil)
            let kubectl = try #require(entries.first { $0["manager"] == "kubectl" })
            #expect(kubectl["fieldsV1"]?["f:spec"]?["f:replicas"] == nil)
            #expect(kubectl["fieldsV1"]?["f:spec"]?["f:template"] != nil)

            // Now the original manager is the one in conflict.
            let back = try await k.run("apply", "--server-side", "-f", try k.file("app.yaml", appManifest))
            #expect(back.code != 0)
            #expect(back.stderr.contains("conflict with \"autoscaler\": .spec.replicas"))
        }
    }

    @Test func serverDryRunStoresNothing() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            let r = try await k.run("apply", "--server-side", "--dry-run=server", "-f", try k.file("app.yaml", appManifest))
            #expect(r.code != 0 || r.stdout.contains("(server dry run)"))
            // The namespace does not exist (dry run), so the namespaced objects are refused like a real server does.
            let nsOnly = try await k.run("apply", "--server-side", "--dry-run=server", "-f", try k.file("ns.yaml", namespaceYAML))
            #expect(nsOnly.code == 0, "\(nsOnly.stderr)")
            #expect(nsOnly.stdout.contains("namespace/shop serverside-applied (server dry run)"))
            let get = try await k.run("get", "ns", "shop")
            #expect(get.code != 0)
            #expect(get.stderr.contains("namespaces \"shop\" not found"))

            _ = try await k.run("apply", "--server-side", "-f", try k.file("ns.yaml", namespaceYAML))
            let dry = try await k.run("apply", "--server-side", "--dry-run=server", "-f", try k.file("cm.yaml", configMapYAML))
            #expect(dry.stdout.contains("configmap/web-config serverside-applied (server dry run)"))
            let cm = try await k.run("get", "cm", "web-config", "-n", "shop")
            #expect(cm.code != 0)
            let applies = emu.cluster.requests().filter { $0.method == "PATCH" && $0.query["dryRun"] == "All" }
            #expect(!applies.isEmpty)
        }
    }

    @Test func deleteByFileRemovesEverythingIncludingOwnedPods() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            let path = try k.file("app.yaml", appManifest)
            _ = try await k.run("apply", "--server-side", "-f", path)
            #expect(emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "shop").count == 2)
            let r = try await k.run("delete", "-f", path)
            #expect(r.code == 0, "\(r.stderr)")
            #expect(r.stdout.contains("namespace \"shop\" deleted"))
            #expect(r.stdout.contains("deployment.apps \"web\" deleted"))
            #expect(r.stdout.contains("service \"web\" deleted"))
            #expect(r.stdout.contains("configmap \"web-config\" deleted"))
            #expect(emu.cluster.get(apiVersion: "v1", kind: "Namespace", name: "shop") == nil)
            #expect(emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "shop").isEmpty)
            #expect(emu.cluster.list(apiVersion: "apps/v1", kind: "Deployment").isEmpty)
        }
    }

    @Test func deletingANamespaceCascades() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            _ = try await k.run("apply", "--server-side", "-f", try k.file("app.yaml", appManifest))
            let other = try k.file("other.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n  namespace: default\ndata:\n  a: b\n")
            _ = try await k.run("apply", "--server-side", "-f", other)
            let r = try await k.run("delete", "ns", "shop")
            #expect(r.code == 0, "\(r.stderr)")
            #expect(r.stdout.contains("namespace \"shop\" deleted"))
            let ns = try await k.run("get", "ns", "shop")
            #expect(ns.code != 0)
            #expect(ns.stderr.contains("NotFound"))
            let left = try await k.run("get", "all", "-n", "shop", "-o", "name")
            #expect(left.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
            #expect(emu.cluster.list(apiVersion: "v1", kind: "ConfigMap", namespace: "shop").isEmpty)
            #expect(emu.cluster.get(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "keep") != nil)
            let protected = try await k.run("delete", "ns", "default")
            #expect(protected.code != 0)
            #expect(protected.stderr.contains("forbidden: this namespace may not be deleted"))
        }
    }

    @Test func customResourceDefinitionsAndCustomResources() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            let crds = try await k.run("apply", "--server-side", "-f", try k.file("crds.yaml", shipwrightCRDs))
            #expect(crds.code == 0, "\(crds.stderr)")
            #expect(crds.stdout.contains("customresourcedefinition.apiextensions.k8s.io/builds.shipwright.io serverside-applied"))
            let crd = try await k.json("get", "crd", "buildruns.shipwright.io", "-o", "json")
            let established = crd["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Established" }
            #expect(established?["status"] == "True")

            let resources = try await k.run("api-resources", "--api-group=shipwright.io")
            #expect(resources.stdout.contains("builds"))
            #expect(resources.stdout.contains("buildruns"))
            #expect(resources.stdout.contains("shipwright.io/v1beta1"))

            let build = try k.file(
                "build.yaml",
                """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: ci
                ---
                apiVersion: shipwright.io/v1beta1
                kind: Build
                metadata:
                  name: app
                  namespace: ci
                spec:
                  source:
                    type: Git
                    git:
                      url: https://example.com/app.git
                  strategy:
                    name: buildah
                    kind: ClusterBuildStrategy
                  output:
                    image: registry.example.com/app:latest
                """)
            let applied = try await k.run("apply", "--server-side", "-f", build)
            #expect(applied.code == 0, "\(applied.stderr)")
            #expect(applied.stdout.contains("build.shipwright.io/app serverside-applied"))
            let got = try await k.json("get", "builds", "app", "-n", "ci", "-o", "json")
            #expect(got["apiVersion"] == "shipwright.io/v1beta1")
            #expect(got["kind"] == "Build")
            #expect(got["spec"]?["strategy"]?["name"] == "buildah")
            let table = try await k.run("get", "bd", "-n", "ci")
            #expect(table.stdout.contains("REGISTERED"))
            #expect(table.stdout.contains("app"))

            // The agent's way of starting a build: POST a BuildRun, then read its status.
            _ = try emu.cluster.put([
                "apiVersion": "shipwright.io/v1beta1", "kind": "BuildRun",
                "metadata": ["name": "app-1234abcd", "namespace": "ci"],
                "spec": ["build": ["name": "app"]],
                "status": ["conditions": [["type": "Succeeded", "status": "True"]], "output": ["digest": "sha256:abc"]],
            ])
            let runs = try await k.run("get", "buildruns", "-n", "ci")
            #expect(runs.stdout.contains("SUCCEEDED"))
            #expect(runs.stdout.contains("app-1234abcd"))

            // Deleting the CRD removes its kind and its objects.
            let del = try await k.run("delete", "crd", "builds.shipwright.io")
            #expect(del.code == 0, "\(del.stderr)")
            let gone = try await k.run("get", "builds", "-n", "ci")
            #expect(gone.code != 0)
            // (kubectl's cached discovery still maps "builds"; the list is then refused.)
            #expect(
                gone.stderr.contains("the server doesn't have a resource type \"builds\"")
                    || gone.stderr.contains("the server could not find the requested resource"))
            #expect(emu.cluster.list(apiVersion: "shipwright.io/v1beta1", kind: "Build").isEmpty)
        }
    }

    @Test func apiResourcesAndDiscoveryFallback() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            let r = try await k.run("api-resources")
            #expect(r.code == 0, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(lines.contains(["deployments", "deploy", "apps/v1", "true", "Deployment"]))
            #expect(lines.contains(["namespaces", "ns", "v1", "false", "Namespace"]))
            #expect(lines.contains(["customresourcedefinitions", "crd,crds", "apiextensions.k8s.io/v1", "false", "CustomResourceDefinition"]))
            #expect(lines.contains(["cronjobs", "cj", "batch/v1", "true", "CronJob"]))
            #expect(lines.contains(["horizontalpodautoscalers", "hpa", "autoscaling/v2", "true", "HorizontalPodAutoscaler"]))
            #expect(lines.contains(["poddisruptionbudgets", "pdb", "policy/v1", "true", "PodDisruptionBudget"]))
            #expect(lines.contains(["networkpolicies", "netpol", "networking.k8s.io/v1", "true", "NetworkPolicy"]))
            #expect(lines.contains(["clusterrolebindings", "rbac.authorization.k8s.io/v1", "false", "ClusterRoleBinding"]))

            // kubectl asked for aggregated discovery first, got plain JSON, and walked the group versions.
            let reqs = emu.cluster.requests()
            let apis = try #require(reqs.first { $0.path == "/apis" })
            #expect(apis.accept.contains("as=APIGroupDiscoveryList"))
            #expect(reqs.contains { $0.path == "/apis/apps/v1" && $0.status == 200 })
            #expect(reqs.contains { $0.path == "/api/v1" && $0.status == 200 })
        }
    }

    @Test func podLogs() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            _ = try await k.run("apply", "--server-side", "-f", try k.file("app.yaml", appManifest))
            let pods = emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "shop")
            let pod = try #require(pods.first?["metadata"]?["name"]?.stringValue)
            emu.cluster.setPodLog(namespace: "shop", pod: pod, container: "app", text: "starting\nlistening on :8080\nready\n")
            emu.cluster.setPodLog(namespace: "shop", pod: pod, container: "app", text: "panic: boom\n", previous: true)

            let all = try await k.run("logs", pod, "-n", "shop")
            #expect(all.code == 0, "\(all.stderr)")
            #expect(all.stdout == "starting\nlistening on :8080\nready\n")
            let tail = try await k.run("logs", pod, "-n", "shop", "--tail=1", "-c", "app")
            #expect(tail.stdout == "ready\n")
            let previous = try await k.run("logs", pod, "-n", "shop", "--previous")
            #expect(previous.stdout == "panic: boom\n")
            let wrong = try await k.run("logs", pod, "-n", "shop", "-c", "nope")
            #expect(wrong.code != 0)
            #expect(wrong.stderr.contains("container nope is not valid for pod \(pod)"))
            let missing = try await k.run("logs", "nope", "-n", "shop")
            #expect(missing.stderr.contains("pods \"nope\" not found"))
        }
    }

    @Test func clientSideApplyPatchScaleAndWait() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            let path = try k.file("app.yaml", appManifest)
            let r = try await k.run("apply", "-f", path)
            #expect(r.code == 0, "\(r.stderr)")
            #expect(r.stdout.contains("deployment.apps/web created"))
            let again = try await k.run(
                "apply", "-f", try k.file("app2.yaml", appManifest.replacingOccurrences(of: "greeting: hello", with: "greeting: hi")))
            #expect(again.code == 0, "\(again.stderr)")
            #expect(again.stdout.contains("configmap/web-config configured"))
            #expect(again.stdout.contains("deployment.apps/web unchanged"))
            let cm = try await k.json("get", "cm", "web-config", "-n", "shop", "-o", "json")
            #expect(cm["data"]?["greeting"] == "hi")
            #expect(cm["metadata"]?["annotations"]?["kubectl.kubernetes.io/last-applied-configuration"] != nil)

            let merge = try await k.run("patch", "cm", "web-config", "-n", "shop", "-p", #"{"data":{"extra":"1"}}"#)
            #expect(merge.code == 0, "\(merge.stderr)")
            let json = try await k.run("patch", "cm", "web-config", "-n", "shop", "--type=json", "-p", #"[{"op":"remove","path":"/data/extra"}]"#)
            #expect(json.code == 0, "\(json.stderr)")
            let strategic = try await k.run(
                "patch", "deploy", "web", "-n", "shop", "-p",
                #"{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"DEBUG","value":"1"}]}]}}}}"#)
            #expect(strategic.code == 0, "\(strategic.stderr)")
            let d = try await k.json("get", "deploy", "web", "-n", "shop", "-o", "json")
            let env = d["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["env"]?.arrayValue ?? []
            #expect(env.compactMap { $0["name"]?.stringValue } == ["MODE", "DEBUG"])

            let scaled = try await k.run("scale", "deploy", "web", "-n", "shop", "--replicas=4")
            #expect(scaled.code == 0, "\(scaled.stderr)")
            let rollout = try await k.run("rollout", "status", "deploy/web", "-n", "shop", "--timeout=10s")
            #expect(rollout.code == 0, "\(rollout.stderr)")
            #expect(rollout.stdout.contains("successfully rolled out"))
            let wait = try await k.run("wait", "--for=condition=Available", "deploy/web", "-n", "shop", "--timeout=10s")
            #expect(wait.code == 0, "\(wait.stderr)")
            #expect(emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "shop", labelSelector: "app=web").count == 4)
        }
    }

    @Test func eventsFilteredByInvolvedObject() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            emu.cluster.recordEvent(
                namespace: "default", involvedKind: "Pod", involvedName: "a", reason: "BackOff",
                message: "Back-off restarting failed container", type: "Warning")
            emu.cluster.recordEvent(namespace: "default", involvedKind: "Pod", involvedName: "b", reason: "Pulled", message: "Pulled image")
            let r = try await k.json("get", "events", "-n", "default", "--field-selector", "involvedObject.name=a", "-o", "json")
            let items = r["items"]?.arrayValue ?? []
            #expect(items.count == 1)
            #expect(items.first?["reason"] == "BackOff")
            let table = try await k.run("get", "events", "-n", "default")
            #expect(table.stdout.contains("BackOff"))
            #expect(table.stdout.contains("pod/b"))
        }
    }

    @Test func imperativeCreateCommandsThatSendProtobuf() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            let commands: [[String]] = [
                ["create", "namespace", "tools"],
                ["create", "configmap", "settings", "-n", "tools", "--from-literal=mode=fast"],
                ["create", "secret", "generic", "token", "-n", "tools", "--from-literal=key=s3cr3t"],
                ["create", "serviceaccount", "runner", "-n", "tools"],
                ["create", "deployment", "api", "-n", "tools", "--image=nginx:1.25", "--replicas=3", "--port=80"],
                ["create", "service", "clusterip", "api", "-n", "tools", "--tcp=80:8080"],
                ["create", "job", "once", "-n", "tools", "--image=busybox", "--", "echo", "hi"],
                ["create", "role", "reader", "-n", "tools", "--verb=get,list", "--resource=pods"],
                ["create", "rolebinding", "reader", "-n", "tools", "--role=reader", "--user=bob"],
                ["run", "shell", "-n", "tools", "--image=busybox", "--labels=app=shell", "--env=A=B"],
            ]
            for c in commands {
                let r = try await k.run(c)
                #expect(r.code == 0, "kubectl \(c.joined(separator: " ")): \(r.stderr)")
            }
            #expect(emu.cluster.get(apiVersion: "v1", kind: "ConfigMap", namespace: "tools", name: "settings")?["data"] == ["mode": "fast"])
            #expect(
                emu.cluster.get(apiVersion: "v1", kind: "Secret", namespace: "tools", name: "token")?["data"]?["key"]
                    == .string(Data("s3cr3t".utf8).base64EncodedString()))
            let deploy = try #require(emu.cluster.get(apiVersion: "apps/v1", kind: "Deployment", namespace: "tools", name: "api"))
            #expect(deploy["spec"]?["replicas"] == 3)
            #expect(deploy["status"]?["readyReplicas"] == 3)
            #expect(deploy["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["ports"]?.arrayValue?.first?["containerPort"] == 80)
            let svc = try #require(emu.cluster.get(apiVersion: "v1", kind: "Service", namespace: "tools", name: "api"))
            #expect(svc["spec"]?["ports"]?.arrayValue?.first?["targetPort"] == 8080)
            let job = try #require(emu.cluster.get(apiVersion: "batch/v1", kind: "Job", namespace: "tools", name: "once"))
            #expect(job["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["command"] == ["echo", "hi"])
            let binding = try #require(
                emu.cluster.get(apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", namespace: "tools", name: "reader"))
            #expect(binding["roleRef"]?["name"] == "reader")
            #expect(binding["subjects"]?.arrayValue?.first?["name"] == "bob")
            let pod = try #require(emu.cluster.get(apiVersion: "v1", kind: "Pod", namespace: "tools", name: "shell"))
            #expect(pod["status"]?["phase"] == "Running")
            #expect(pod["spec"]?["containers"]?.arrayValue?.first?["env"] == [["name": "A", "value": "B"]])
        }
    }
}
