import BrokkrCommon
import Foundation
import Testing

@testable import KubeEmulator

/// What the API server enforces, checked with the real kubectl: immutable fields, CRD establishment,
/// the ReplicaSet layer under Deployments, generation/observedGeneration, and request latency.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/kubectl")))
struct KubectlRulesTests {
    static func job(image: String, selector: String? = nil) -> String {
        var yaml = """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: migrate
              namespace: default
            spec:

            """
        if let selector {
            yaml += """
                  manualSelector: true
                  selector:
                    matchLabels:
                      run: \(selector)

                """
        }
        yaml += """
              template:
                metadata:
                  labels:
                    run: \(selector ?? "migrate")
                spec:
                  restartPolicy: Never
                  containers:
                  - name: migrate
                    image: \(image)
            """
        return yaml
    }

    /// The Status kubectl's request got, from the emulator's request log.
    static func lastFailure(_ emu: KubeEmulator) throws -> JSONValue {
        let failed = try #require(emu.cluster.requests().last { $0.status == 422 })
        return try JSONValue.parse(
            emu.cluster.handle(
                KubeRequest(
                    method: failed.method, url: failed.path + "?fieldManager=kubectl&dryRun=All",
                    headers: ["content-type": failed.contentType], body: Array(failed.body.utf8))
            ).body)
    }

    @Test func jobTemplateAndSelectorAreImmutable() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            let created = try await k.run("apply", "--server-side", "-f", try k.file("job.yaml", Self.job(image: "migrate:1")))
            #expect(created.code == 0, "\(created.stderr)")
            // The same manifest again is fine: the server's own selector and labels are kept.
            let same = try await k.run("apply", "--server-side", "-f", try k.file("job.yaml", Self.job(image: "migrate:1")))
            #expect(same.code == 0, "\(same.stderr)")

            let changed = try await k.run("apply", "--server-side", "-f", try k.file("job2.yaml", Self.job(image: "migrate:2")))
            #expect(changed.code != 0)
            #expect(
                changed.stderr.contains(
                    "The Job \"migrate\" is invalid: spec.template: Invalid value: core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{"),
                "\(changed.stderr)")
            #expect(changed.stderr.contains("Image:\"migrate:2\""), "\(changed.stderr)")
            #expect(changed.stderr.contains("}}: field is immutable"), "\(changed.stderr)")
            let status = try Self.lastFailure(emu)
            #expect(status["reason"] == "Invalid")
            #expect(status["code"] == 422)
            #expect(status["details"]?["kind"] == "Job")
            #expect(status["details"]?["group"] == "batch")
            #expect(
                status["message"]?.stringValue?.hasPrefix("Job.batch \"migrate\" is invalid: spec.template: Invalid value: core.PodTemplateSpec{")
                    == true)
            let cause = try #require(status["details"]?["causes"]?.arrayValue?.first)
            #expect(cause["field"] == "spec.template")
            #expect(cause["reason"] == "FieldValueInvalid")
            #expect(cause["message"]?.stringValue?.hasSuffix(": field is immutable") == true)

            let selector = try await k.run("apply", "--server-side", "-f", try k.file("job3.yaml", Self.job(image: "migrate:1", selector: "other")))
            #expect(selector.code != 0)
            // Apply merges the new label into the server-generated selector and template: both causes are listed.
            #expect(
                selector.stderr.contains(
                    "* spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"batch.kubernetes.io/controller-uid\":"),
                "\(selector.stderr)")
            #expect(
                selector.stderr.contains(
                    "\"run\":\"other\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable\n* spec.template: Invalid value: "),
                "\(selector.stderr)")

            // Deleting and creating again is the way through.
            #expect(try await k.run("delete", "job", "migrate", "--cascade=foreground").code == 0)
            let recreated = try await k.run("apply", "--server-side", "-f", try k.file("job2.yaml", Self.job(image: "migrate:2")))
            #expect(recreated.code == 0, "\(recreated.stderr)")
        }
    }

    @Test func workloadSelectorsAreImmutable() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            let statefulSet = { (app: String) in
                """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata:
                  name: db
                  namespace: default
                spec:
                  serviceName: db
                  replicas: 1
                  selector:
                    matchLabels:
                      app: \(app)
                  template:
                    metadata:
                      labels:
                        app: \(app)
                    spec:
                      containers:
                      - name: db
                        image: postgres:16
                """
            }
            let deployment = deploymentYAML(namespace: "default")
            for manifest in [deployment, daemonSetYAML(app: "agent"), statefulSet("db")] {
                let r = try await k.run("apply", "--server-side", "-f", try k.file("w.yaml", manifest))
                #expect(r.code == 0, "\(r.stderr)")
            }
            let movedDeployment = deployment.replacingOccurrences(of: "app: web", with: "app: web2")
            let d = try await k.run("apply", "--server-side", "-f", try k.file("d2.yaml", movedDeployment))
            #expect(d.code != 0)
            #expect(
                d.stderr.contains(
                    "The Deployment \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
                ), "\(d.stderr)")

            let ds = try await k.run("apply", "--server-side", "-f", try k.file("ds2.yaml", daemonSetYAML(app: "agent2")))
            #expect(ds.code != 0)
            #expect(
                ds.stderr.contains(
                    "The DaemonSet \"agent\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"agent2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
                ), "\(ds.stderr)")

            let sts = try await k.run("apply", "--server-side", "-f", try k.file("sts2.yaml", statefulSet("db2")))
            #expect(sts.code != 0)
            #expect(
                sts.stderr.contains(
                    "The StatefulSet \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
                ), "\(sts.stderr)")

            // What may change still does: the template and the replicas.
            let scaled = try await k.run(
                "apply", "--server-side", "-f",
                try k.file("sts3.yaml", statefulSet("db").replacingOccurrences(of: "replicas: 1", with: "replicas: 2")))
            #expect(scaled.code == 0, "\(scaled.stderr)")
        }
    }

    @Test func serviceClusterIPMayNotChange() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            let svc = { (ip: String?) in
                """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                  namespace: default
                spec:
                \(ip.map { "  clusterIP: \($0)\n" } ?? "")  selector:
                    app: web
                  ports:
                  - port: 80
                """
            }
            #expect(try await k.run("apply", "--server-side", "-f", try k.file("svc.yaml", svc(nil))).code == 0)
            let ip = try await k.json("get", "svc", "web", "-o", "json")["spec"]?["clusterIP"]?.stringValue ?? ""
            #expect(ip.hasPrefix("10.96."))
            // Leaving the address out (apply, or a replace without it) keeps it.
            #expect(try await k.run("apply", "--server-side", "-f", try k.file("svc.yaml", svc(nil))).code == 0)
            let replaced = try await k.run("replace", "-f", try k.file("svc.yaml", svc(nil)))
            #expect(replaced.code == 0, "\(replaced.stderr)")
            #expect(try await k.json("get", "svc", "web", "-o", "json")["spec"]?["clusterIP"]?.stringValue == ip)

            let moved = try await k.run("apply", "--server-side", "-f", try k.file("svc2.yaml", svc("10.96.200.200")))
            #expect(moved.code != 0)
            #expect(
                moved.stderr.contains(
                    "The Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.96.200.200\"}: may not change once set"),
                "\(moved.stderr)")
        }
    }

    @Test func persistentVolumeClaimSpecIsImmutable() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            let pvc = { (storageClass: String, size: String) in
                """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata:
                  name: data
                  namespace: default
                spec:
                  storageClassName: \(storageClass)
                  accessModes: [ReadWriteOnce]
                  resources:
                    requests:
                      storage: \(size)
                """
            }
            #expect(try await k.run("apply", "--server-side", "-f", try k.file("pvc.yaml", pvc("standard", "1Gi"))).code == 0)
            let grown = try await k.run("apply", "--server-side", "-f", try k.file("pvc.yaml", pvc("standard", "2Gi")))
            #expect(grown.code == 0, "resources.requests may change: \(grown.stderr)")
            let moved = try await k.run("apply", "--server-side", "-f", try k.file("pvc2.yaml", pvc("fast", "2Gi")))
            #expect(moved.code != 0)
            #expect(
                moved.stderr.contains(
                    "The PersistentVolumeClaim \"data\" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"
                ), "\(moved.stderr)")
            #expect(moved.stderr.contains("StorageClassName: \"fast\""), "\(moved.stderr)")
        }
    }

    @Test func immutableConfigMapsAndSecrets() async throws {
        try await withEmulator { emu in
            let k = try Kubectl(emu)
            let cm = { (value: String, immutable: Bool) in
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: frozen\n  namespace: default\nimmutable: \(immutable)\ndata:\n  mode: \(value)\n"
            }
            let secret = { (value: String) in
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: frozen\n  namespace: default\nimmutable: true\nstringData:\n  token: \(value)\n"
            }
            #expect(try await k.run("apply", "--server-side", "-f", try k.file("cm.yaml", cm("blue", true))).code == 0)
            #expect(try await k.run("apply", "--server-side", "-f", try k.file("s.yaml", secret("a"))).code == 0)
            // Metadata may still change.
            #expect(try await k.run("label", "configmap", "frozen", "tier=web").code == 0)

            let data = try await k.run("apply", "--server-side", "-f", try k.file("cm2.yaml", cm("green", true)))
            #expect(data.code != 0)
            #expect(
                data.stderr.contains("The ConfigMap \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set"),
                "\(data.stderr)")
            let thawed = try await k.run("apply", "--server-side", "-f", try k.file("cm3.yaml", cm("blue", false)))
            #expect(thawed.code != 0)
            #expect(thawed.stderr.contains("immutable: Forbidden: field is immutable when `immutable` is set"), "\(thawed.stderr)")
            let secretData = try await k.run("apply", "--server-side", "-f", try k.file("s2.yaml", secret("b")))
            #expect(secretData.code != 0)
            #expect(
                secretData.stderr.contains("The Secret \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set"),
                "\(secretData.stderr)")
        }
    }

    @Test func crdKindsAreServedOnceEstablished() async throws {
        var options = KubeCluster.Options()
        options.crdEstablishDelay = 0.6
        try await withEmulator(options: options) { emu in
            let k = try Kubectl(emu)
            let crd = """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: widgets.example.com
                spec:
                  group: example.com
                  scope: Namespaced
                  names: {plural: widgets, singular: widget, kind: Widget}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema:
                      openAPIV3Schema:
                        type: object
                        x-kubernetes-preserve-unknown-fields: true
                """
            #expect(try await k.run("apply", "--server-side", "-f", try k.file("crd.yaml", crd)).code == 0)
            let pending = try await k.json("get", "crd", "widgets.example.com", "-o", "json")
            let established = pending["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Established" }
            #expect(established?["status"] == "False")
            let early = emu.cluster.handle(KubeRequest(method: "GET", path: "/apis/example.com/v1/namespaces/default/widgets"))
            #expect(early.status == 404)
            #expect(!emu.cluster.resourceTypes().contains { $0.kind == "Widget" }, "not in discovery yet")

            let waited = try await k.run("wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=10s")
            #expect(waited.code == 0, "\(waited.stderr)")
            let widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: default\nspec:\n  size: 1\n"
            let created = try await k.run("apply", "--server-side", "-f", try k.file("w.yaml", widget))
            #expect(created.code == 0, "\(created.stderr)")
            #expect(try await k.run("get", "widgets").stdout.contains("w1"))
        }
    }

    @Test func deploymentsRollThroughReplicaSets() async throws {
        var options = KubeCluster.Options()
        options.generateEvents = true
        try await withEmulator(options: options) { emu in
            let k = try Kubectl(emu)
            #expect(try await k.run("apply", "--server-side", "-f", try k.file("app.yaml", appManifest)).code == 0)
            let first = try await k.json("get", "rs", "-n", "shop", "-o", "json")["items"]?.arrayValue ?? []
            #expect(first.count == 1)
            let rs = try #require(first.first)
            let hash = try #require(rs["metadata"]?["labels"]?["pod-template-hash"]?.stringValue)
            #expect(rs["metadata"]?["name"]?.stringValue == "web-\(hash)")
            #expect(rs["metadata"]?["ownerReferences"]?.arrayValue?.first?["kind"] == "Deployment")
            #expect(rs["spec"]?["selector"]?["matchLabels"]?["pod-template-hash"]?.stringValue == hash)
            #expect(rs["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"] == "1")
            let pods = try await k.json("get", "pods", "-n", "shop", "-l", "pod-template-hash=\(hash)", "-o", "json")["items"]?.arrayValue ?? []
            #expect(pods.count == 2)
            #expect(pods.allSatisfy { $0["metadata"]?["ownerReferences"]?.arrayValue?.first?["name"]?.stringValue == "web-\(hash)" })
            #expect(pods.allSatisfy { $0["metadata"]?["name"]?.stringValue?.hasPrefix("web-\(hash)-") == true })

            // Metadata-only changes and scaling: no new ReplicaSet; scaling is a spec change (generation 2).
            #expect(try await k.run("annotate", "deploy", "web", "-n", "shop", "note=hello").code == 0)
            #expect(try await k.run("scale", "deploy", "web", "-n", "shop", "--replicas=3").code == 0)
            var d = try await k.json("get", "deploy", "web", "-n", "shop", "-o", "json")
            #expect(d["metadata"]?["generation"] == 2)
            #expect(d["status"]?["observedGeneration"] == 2)
            #expect(d["status"]?["replicas"] == 3)
            #expect((try await k.json("get", "rs", "-n", "shop", "-o", "json")["items"]?.arrayValue ?? []).count == 1)

            // A template change: a second ReplicaSet takes the pods, the first is scaled to 0.
            let changed = [namespaceYAML, deploymentYAML(replicas: 3, image: "nginx:1.27"), serviceYAML, configMapYAML].joined(separator: "\n---\n")
            #expect(try await k.run("apply", "--server-side", "--force-conflicts", "-f", try k.file("app2.yaml", changed)).code == 0)
            let sets = try await k.json("get", "rs", "-n", "shop", "-o", "json")["items"]?.arrayValue ?? []
            #expect(sets.count == 2)
            let old = try #require(sets.first { $0["metadata"]?["name"]?.stringValue == "web-\(hash)" })
            let new = try #require(sets.first { $0["metadata"]?["name"]?.stringValue != "web-\(hash)" })
            #expect(old["spec"]?["replicas"] == 0)
            #expect(old["status"]?["replicas"] == 0)
            #expect(new["spec"]?["replicas"] == 3)
            #expect(new["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"] == "2")
            d = try await k.json("get", "deploy", "web", "-n", "shop", "-o", "json")
            #expect(d["metadata"]?["generation"] == 3)
            #expect(d["status"]?["observedGeneration"] == 3)
            #expect(d["status"]?["updatedReplicas"] == 3)
            #expect(d["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"] == "2")
            let status = try await k.run("rollout", "status", "deployment/web", "-n", "shop", "--timeout=10s")
            #expect(status.code == 0, "\(status.stderr)")
            #expect(status.stdout.contains("successfully rolled out"))
            let events = try await k.run("get", "events", "-n", "shop", "--field-selector", "reason=ScalingReplicaSet")
            #expect(events.stdout.contains("Scaled down replica set web-\(hash) from 3 to 0"), "\(events.stdout)")

            // A status write (the kubelet's) does not bump the generation.
            let pod = try #require(emu.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "shop", labelSelector: "app=web").first)
            _ = try emu.cluster.setStatus(
                apiVersion: "v1", kind: "Pod", namespace: "shop", name: pod["metadata"]!["name"]!.stringValue!,
                status: KubePodStatus.waiting(pod, reason: "CrashLoopBackOff", message: "back-off"))
            #expect(try await k.json("get", "deploy", "web", "-n", "shop", "-o", "json")["metadata"]?["generation"] == 3)
        }
    }

    @Test func latencyDelaysEveryRequest() async throws {
        var options = KubeCluster.Options()
        options.latency = 0.15
        try await withAPI(options: options) { api, _ in
            let started = ContinuousClock.now
            let reply = try await api.get("/api/v1/namespaces/default")
            #expect(reply.status == 200)
            #expect(ContinuousClock.now - started >= .milliseconds(150))
        }
    }
}
