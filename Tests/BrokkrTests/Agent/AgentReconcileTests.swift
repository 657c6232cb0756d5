import BrokkrCommon
import Foundation
import KubeEmulator
import Logging
import PostgresNIO
import XCTest

@testable import BrokkrAgent

/// The agent end to end: a real broker (Postgres, HTTP), the agent's poller and reconciler, and the
/// Kubernetes API emulator over HTTP (spec/06 §16 and spec/01 "Understanding Reconciliation").
/// With `KUBECONFIG` set, the same tests run against that cluster instead (the ones that must set pod
/// status or logs, which only the emulator allows, are skipped there).
final class AgentReconcileTests: XCTestCase {
    struct Cluster: Sendable {
        let emulator: KubeEmulator?
        let kube: KubeClient
        let poller: DeploymentPoller

        /// The emulator, for tests that play the kubelet; skipped on a real cluster.
        var sim: KubeEmulator {
            get throws {
                guard let emulator else { throw XCTSkip("sets pod status or logs, which needs the emulator") }
                return emulator
            }
        }

        /// The object over the Kubernetes API; one being deleted counts as gone.
        func has(_ apiVersion: String, _ kind: String, _ namespace: String?, _ name: String) async throws -> JSONValue? {
            var metadata: [String: JSONValue] = ["name": .string(name)]
            if let namespace { metadata["namespace"] = .string(namespace) }
            let object = try await kube.get(.object(["apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": .object(metadata)]))
            return object?["metadata"]?["deletionTimestamp"] == nil ? object : nil
        }

        func pods(_ namespace: String, _ selector: String) async throws -> [JSONValue] {
            let resource = try await kube.resource(apiVersion: "v1", kind: "Pod")
            return try await kube.list(resource, labelSelector: selector).filter { $0["metadata"]?["namespace"]?.stringValue == namespace }
        }

        func settle() { emulator?.cluster.settle() }
    }

    static func cluster(_ b: TestBroker, agent: TestBroker.Created, crdEstablishDelay: TimeInterval = 0) async throws -> Cluster {
        var logger = Logger(label: "agent-test")
        logger.logLevel = .warning
        let emulator: KubeEmulator?
        let kube: KubeClient
        if let kubeconfig = ProcessInfo.processInfo.environment["KUBECONFIG"], !kubeconfig.isEmpty {
            emulator = nil
            kube = try KubeConfig.load(kubeconfigPath: kubeconfig).makeClient()
        } else {
            var options = KubeCluster.Options()
            options.namespaceDeletionDelay = 0
            options.crdEstablishDelay = crdEstablishDelay
            emulator = try await KubeEmulator.start(host: "127.0.0.1", port: 0, options: options)
            kube = KubeClient(server: emulator!.baseURL)
        }
        let broker = BrokerClient(baseURL: b.baseURL, pak: agent.pak)
        let poller = DeploymentPoller(
            broker: broker, reconciler: Reconciler(kube: kube, agentID: agent.id, logger: logger),
            agentID: agent.id, eventRetries: 1, eventRetryDelay: .milliseconds(100), logger: logger)
        return Cluster(emulator: emulator, kube: kube, poller: poller)
    }

    /// An agent with its cluster, and a generator's stack targeted to it.
    static func targetedCluster(_ b: TestBroker, crdEstablishDelay: TimeInterval = 0) async throws -> (
        TestBroker.Created, TestBroker.Created, String, Cluster
    ) {
        let agent = try await b.createAgent()
        let gen = try await b.createGenerator()
        let stack = try await b.createStack(generatorID: gen.id)
        _ = try await b.post("agents/\(agent.id)/targets", b.adminPAK, #"{"stack_id":"\#(stack)"}"#)
        return (agent, gen, stack, try await cluster(b, agent: agent, crdEstablishDelay: crdEstablishDelay))
    }

    static let app = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: web
          annotations:
            team: web
        data:
          mode: blue
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: web
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: frontend
          namespace: web
        spec:
          replicas: 2
          selector:
            matchLabels:
              app: frontend
          template:
            metadata:
              labels:
                app: frontend
            spec:
              containers:
              - name: web
                image: nginx:1.27
        """

    func testDeployUpdatePruneAndDeleteThroughTheAgent() async throws {
        try await TestBroker.run { b in
            let (agent, gen, stack, c) = try await Self.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }

            // Deploy: namespace first (the YAML lists it second), everything stamped, pods selectable.
            let v1 = try await b.createObject(stackID: stack, yaml: Self.app)["id"]!.stringValue!
            let outcomes = try await c.poller.pollOnce()
            XCTAssertEqual(outcomes, [DeploymentPoller.Outcome(deploymentObjectID: v1, success: true, message: nil)])
            let cm = try await c.has("v1", "ConfigMap", "web", "settings")
            XCTAssertEqual(cm?["metadata"]?["labels"]?["k8s.brokkr.io/stack"]?.stringValue, stack)
            XCTAssertEqual(cm?["metadata"]?["labels"]?["brokkr.io/deployment-object-id"]?.stringValue, v1)
            XCTAssertEqual(cm?["metadata"]?["annotations"]?["team"]?.stringValue, "web", "the user's annotation is kept")
            XCTAssertEqual(cm?["metadata"]?["annotations"]?["brokkr.io/owner-id"]?.stringValue, agent.id)
            let deployment = try await c.has("apps/v1", "Deployment", "web", "frontend")
            XCTAssertEqual(deployment?["metadata"]?["labels"]?["brokkr.io/deployment-object-id"]?.stringValue, v1)
            XCTAssertNil(
                deployment?["spec"]?["template"]?["metadata"]?["labels"]?["brokkr.io/deployment-object-id"],
                "no per-version value in the pod template: a new deployment object must not roll the pods")
            let pods = try await WorkloadPods(kube: c.kube).pods(deploymentObjectID: v1)
            if c.emulator != nil { XCTAssertEqual(pods.count, 2, "health checks find the pods through the Deployment's selector") }
            let events = try await b.get("agents/\(agent.id)/events", agent.pak).json.arrayValue ?? []
            XCTAssertEqual(events.map { $0["status"] }, [.string("SUCCESS")])
            do {
                let v = try await c.poller.pollOnce()
                XCTAssertEqual(v, [], "incremental: nothing new to apply")
            }

            // Update: the ConfigMap is no longer declared and is pruned; the rest is updated in place.
            let v2yaml = Self.app.components(separatedBy: "---\n").dropFirst().joined(separator: "---\n")
            let v2 = try await b.createObject(stackID: stack, yaml: v2yaml)["id"]!.stringValue!
            do {
                let v = try await c.poller.pollOnce().map(\.success)
                XCTAssertEqual(v, [true])
            }
            do {
                let v = try await c.has("v1", "ConfigMap", "web", "settings")
                XCTAssertNil(v)
            }
            do {
                let v = try await c.has("apps/v1", "Deployment", "web", "frontend")?["metadata"]?["labels"]?["brokkr.io/deployment-object-id"]?
                    .stringValue
                XCTAssertEqual(v, v2)
            }

            // Bad YAML and an unknown kind: a failure event each, the agent keeps going.
            try await b.insertUncheckedObject(stackID: stack, yaml: "kind: ConfigMap\nmetadata: [unclosed")
            let badRun = try await c.poller.pollOnce()
            XCTAssertEqual(badRun.map(\.success), [false])
            XCTAssertTrue(badRun.first?.message?.contains("invalid YAML") ?? false, "\(badRun)")
            _ = try await b.createObject(stackID: stack, yaml: "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: web\n")
            let unknown = try await c.poller.pollOnce()
            XCTAssertEqual(unknown.map(\.success), [false])
            XCTAssertTrue(unknown.first?.message?.contains("Widget") ?? false, "\(unknown)")
            do {
                let v = try await c.has("apps/v1", "Deployment", "web", "frontend")
                XCTAssertNotNil(v, "a failed object leaves the running state alone")
            }
            let failures =
                try await b.get("agents/\(agent.id)/events", agent.pak).json.arrayValue?.filter { $0["status"] == .string("FAILURE") } ?? []
            XCTAssertEqual(failures.count, 2)

            // Deleting the stack delivers a deletion marker: everything of the stack goes.
            do {
                let v = try await b.delete("stacks/\(stack)", gen.pak).status
                XCTAssertEqual(v, 204)
            }
            do {
                let v = try await c.poller.pollOnce().map(\.success)
                XCTAssertEqual(v, [true])
            }
            c.settle()
            do {
                let v = try await c.has("apps/v1", "Deployment", "web", "frontend")
                XCTAssertNil(v)
            }
            do {
                let v = try await c.has("v1", "Namespace", nil, "web")
                XCTAssertNil(v)
            }
        }
    }

    /// With an ETag broker the poll is conditional and long: 304 is "nothing new", and a change
    /// made while the poll waits answers it at once.
    func testPollerLongPollsAndTreats304AsNothingNew() async throws {
        try await TestBroker.run { b in
            let (agent, _, stack, c) = try await Self.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }
            let logger = {
                var logger = Logger(label: "agent-test")
                logger.logLevel = .warning
                return logger
            }()
            @Sendable func poller(wait: Int) -> DeploymentPoller {
                DeploymentPoller(
                    broker: BrokerClient(baseURL: b.baseURL, pak: agent.pak),
                    reconciler: Reconciler(kube: c.kube, agentID: agent.id, logger: logger), agentID: agent.id,
                    eventRetries: 1, eventRetryDelay: .milliseconds(100), logger: logger, etag: c.poller.etag,
                    longPollSeconds: wait)
            }
            do {
                let v = try await poller(wait: 1).poll()
                XCTAssertEqual(v, .processed([]), "the first poll is unconditional")
            }
            XCTAssertNotNil(c.poller.etag.value)
            do {
                let v = try await poller(wait: 1).poll()
                XCTAssertEqual(v, .notModified)
            }

            let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: etag-poll\n  namespace: default\ndata:\n  a: b\n"
            let started = ContinuousClock.now
            async let woken = poller(wait: 30).poll()
            try await Task.sleep(for: .milliseconds(500))
            let id = try await b.createObject(stackID: stack, yaml: yaml)["id"]!.stringValue!
            let outcome = try await woken
            XCTAssertEqual(outcome, .processed([DeploymentPoller.Outcome(deploymentObjectID: id, success: true, message: nil)]))
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(10), "woken by the change, not the 30 s wait")
            let applied = try await c.has("v1", "ConfigMap", "default", "etag-poll")
            XCTAssertNotNil(applied)

            // The agent's own event changed its (incremental) target state once; then nothing is new.
            do {
                let v = try await poller(wait: 1).poll()
                XCTAssertEqual(v, .processed([]))
            }
            do {
                let v = try await poller(wait: 1).poll()
                XCTAssertEqual(v, .notModified)
            }
            _ = try await b.delete("stacks/\(stack)", b.adminPAK)
            do {
                let v = try await poller(wait: 1).pollOnce()
                XCTAssertEqual(v.count, 1, "the deletion marker")
            }
        }
    }

    func testLabelTargetingReachesTwoClusters() async throws {
        try await TestBroker.run { b in
            let east = try await b.createAgent("east", cluster: "east")
            let west = try await b.createAgent("west", cluster: "west")
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)
            _ = try await b.request(.POST, "stacks/\(stack)/labels", pak: b.adminPAK, json: #""env=prod""#)
            for agent in [east, west] { _ = try await b.request(.POST, "agents/\(agent.id)/labels", pak: b.adminPAK, json: #""env=prod""#) }
            let eastCluster = try await Self.cluster(b, agent: east)
            let westCluster = try await Self.cluster(b, agent: west)
            defer {
                Task {
                    await eastCluster.emulator?.shutdown()
                    await westCluster.emulator?.shutdown()
                }
            }
            _ = try await b.createObject(
                stackID: stack, yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n  namespace: default\ndata:\n  a: b\n")
            for cluster in [eastCluster, westCluster] {
                do {
                    let v = try await cluster.poller.pollOnce().map(\.success)
                    XCTAssertEqual(v, [true])
                }
                do {
                    let v = try await cluster.has("v1", "ConfigMap", "default", "shared")?["data"]?["a"]?.stringValue
                    XCTAssertEqual(v, "b")
                }
            }
        }
    }

    func testFailedValidationRollsBackOnlyNamespacesItCreated() async throws {
        try await TestBroker.run { b in
            let (_, _, stack, c) = try await Self.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }
            // A namespace the run creates, one that already existed, and an object the server rejects.
            let yaml = """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: fresh
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: default
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: broken
                  namespace: fresh
                spec:
                  replicas: "many"
                """
            _ = try await b.createObject(stackID: stack, yaml: yaml)
            let run = try await c.poller.pollOnce()
            XCTAssertEqual(run.map(\.success), [false])
            XCTAssertTrue(run.first?.message?.contains("validation failed") ?? false, "\(run)")
            c.settle()
            do {
                let v = try await c.has("v1", "Namespace", nil, "fresh")
                XCTAssertNil(v, "the namespace this run created is rolled back")
            }
            do {
                let v = try await c.has("v1", "Namespace", nil, "default")
                XCTAssertNotNil(v, "a namespace that existed before stays")
            }
        }
    }

    func testHealthStatesReachTheBroker() async throws {
        try await TestBroker.run { b in
            let (agent, _, stack, c) = try await Self.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }
            let object = try await b.createObject(stackID: stack, yaml: Self.app)["id"]!.stringValue!
            _ = try await c.poller.pollOnce()
            let reporter = HealthReporter(
                broker: BrokerClient(baseURL: b.baseURL, pak: agent.pak),
                checker: HealthChecker(kube: c.kube),
                applied: c.poller.applied, agentID: agent.id)

            // Both pods run and are ready: healthy.
            var sent = try await reporter.reportOnce()
            XCTAssertEqual(sent.first?.status, "healthy")
            XCTAssertEqual(sent.first?.summary?.podsReady, 2)
            var health = try await b.get("deployment-objects/\(object)/health", b.adminPAK)
            XCTAssertEqual(health["overall_status"], .string("healthy"))

            // One pod cannot pull its image: degraded, with the condition and the pod named.
            let pods = try c.sim.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "web", labelSelector: "app=frontend")
            XCTAssertEqual(pods.count, 2)
            let first = pods[0]
            _ = try try c.sim.cluster.setStatus(
                apiVersion: "v1", kind: "Pod", namespace: "web", name: first["metadata"]!["name"]!.stringValue!,
                status: KubePodStatus.waiting(first, reason: "ImagePullBackOff", message: "pull access denied"))
            sent = try await reporter.reportOnce()
            XCTAssertEqual(sent.first?.status, "degraded")
            XCTAssertTrue(sent.first?.summary?.conditions.contains("ImagePullBackOff") ?? false, "\(sent)")
            health = try await b.get("deployment-objects/\(object)/health", b.adminPAK)
            XCTAssertEqual(health["overall_status"], .string("degraded"))

            // The other pod fails: failing wins over degraded.
            let second = pods[1]
            _ = try try c.sim.cluster.setStatus(
                apiVersion: "v1", kind: "Pod", namespace: "web", name: second["metadata"]!["name"]!.stringValue!,
                status: KubePodStatus.terminated(second, succeeded: false, exitCode: 1, reason: "Error"))
            sent = try await reporter.reportOnce()
            XCTAssertEqual(sent.first?.status, "failing", "\(sent)")
            do {
                let v = try await b.get("stacks/\(stack)/health", b.adminPAK)["overall_status"]
                XCTAssertEqual(v, .string("failing"))
            }

            // OOMKilled in the last state and unschedulable pods are degraded; no pods is unknown.
            let oom = HealthChecker.classify(
                UUID(),
                pods: [
                    .object([
                        "status": .object([
                            "phase": .string("Running"),
                            "conditions": .array([.object(["type": .string("Ready"), "status": .string("True")])]),
                            "containerStatuses": .array([.object(["lastState": .object(["terminated": .object(["reason": .string("OOMKilled")])])])]),
                        ])
                    ])
                ], checkedAt: Date())
            XCTAssertEqual(oom.status, "degraded")
            let pending = HealthChecker.classify(
                UUID(),
                pods: [
                    .object([
                        "status": .object([
                            "phase": .string("Pending"),
                            "conditions": .array([.object(["type": .string("PodScheduled"), "status": .string("False")])]),
                        ])
                    ])
                ], checkedAt: Date())
            XCTAssertEqual(pending.summary?.conditions, ["Unschedulable"])
            XCTAssertEqual(HealthChecker.classify(UUID(), pods: [], checkedAt: Date()).status, "unknown")
        }
    }

    func testDiagnosticsRoundTrip() async throws {
        try await TestBroker.run { b in
            let (agent, _, stack, c) = try await Self.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }
            let object = try await b.createObject(stackID: stack, yaml: Self.app)["id"]!.stringValue!
            _ = try await c.poller.pollOnce()
            let pods = try c.sim.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "web", labelSelector: "app=frontend")
            let podName = pods.first?["metadata"]?["name"]?.stringValue ?? ""
            try c.sim.cluster.setPodLog(namespace: "web", pod: podName, container: "web", text: "starting\nlistening on :80\n")

            let request = try await b.post(
                "deployment-objects/\(object)/diagnostics", b.adminPAK, #"{"agent_id":"\#(agent.id)","requested_by":"ops"}"#)
            let id = request["id"]!.stringValue!
            let collector = DiagnosticsCollector(
                broker: BrokerClient(baseURL: b.baseURL, pak: agent.pak),
                kube: c.kube, agentID: agent.id, logger: Logger(label: "test"))
            do {
                let v = try await collector.runOnce()
                XCTAssertEqual(v, [id])
            }
            do {
                let v = try await collector.runOnce()
                XCTAssertEqual(v, [], "nothing pending any more")
            }

            let result = try await b.get("diagnostics/\(id)", b.adminPAK)
            XCTAssertEqual(result["request"]?["status"], .string("completed"))
            let statuses = try JSONValue.parse(result["result"]?["pod_statuses"]?.stringValue ?? "")
            XCTAssertEqual(statuses.arrayValue?.count, 2)
            XCTAssertEqual(statuses.arrayValue?.first?["phase"], .string("Running"))
            let tails = try JSONValue.parse(result["result"]?["log_tails"]?.stringValue ?? "")
            XCTAssertEqual(tails["\(podName)/web"]?.arrayValue?.contains(.string("listening on :80")), true, "\(tails)")
        }
    }

    func testAgentDeliveredWebhookReachesALocalSink() async throws {
        try await TestBroker.run { b in
            try await WebhookSink.run { sink in
                let agent = try await b.createAgent()
                _ = try await b.request(.POST, "agents/\(agent.id)/labels", pak: b.adminPAK, json: #""cluster=edge""#)
                for (name, mode) in [("ok", "ok"), ("failing", "fail")] {
                    let hook = try await b.post(
                        "webhooks", b.adminPAK,
                        #"{"name":"\#(name)","url":"\#(sink.url(mode))","event_types":["deployment.*"],"target_labels":["cluster=edge"],"auth_header":"Bearer sink-token"}"#
                    )
                    XCTAssertEqual(hook.status, 201, hook.body)
                    do {
                        let v = try await b.post("webhooks/\(hook["id"]!.stringValue!)/test", b.adminPAK).status
                        XCTAssertEqual(v, 200)
                    }
                }
                let deliverer = AgentWebhookDeliverer(
                    broker: BrokerClient(baseURL: b.baseURL, pak: agent.pak), agentID: agent.id, logger: Logger(label: "test"))
                let outcomes = try await deliverer.runOnce()
                XCTAssertEqual(outcomes.map(\.1).sorted { !$0 && $1 }, [false, true])
                let received = await sink.log.received
                XCTAssertEqual(Set(received.map(\.path)), ["ok", "fail"])
                let ok = received.first { $0.path == "ok" }
                XCTAssertEqual(ok?.headers["authorization"], "Bearer sink-token")
                XCTAssertEqual(ok?.headers["x-brokkr-event-type"], "webhook.test")
                XCTAssertTrue(ok?.headers["x-brokkr-signature"]?.hasPrefix("sha256=") ?? false, "\(ok?.headers ?? [:])")
                XCTAssertTrue(
                    ok?.headers["x-brokkr-signature-256"]?.hasPrefix("t=\(ok?.headers["x-brokkr-timestamp"] ?? "-"),v1=") ?? false,
                    "\(ok?.headers ?? [:])")
                // The broker recorded both outcomes: success done, failure scheduled for retry.
                for try await (status, count) in try await b.database.query(
                    "SELECT status, count(*)::int FROM webhook_deliveries GROUP BY status ORDER BY status"
                ).decode((String, Int).self) {
                    XCTAssertEqual(count, 1, status)
                    XCTAssertTrue(["success", "failed"].contains(status), status)
                }
            }
        }
    }

    func testWorkOrderJobRunsToCompletion() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            let c = try await Self.cluster(b, agent: agent)
            defer { Task { await c.emulator?.shutdown() } }
            let job = """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: migrate
                  namespace: default
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers:
                      - name: migrate
                        image: busybox
                """
            let order = try await b.post(
                "work-orders", b.adminPAK,
                JSONValue.object([
                    "work_type": .string("custom"), "yaml_content": .string(job), "target_agent_ids": .array([.string(agent.id)]),
                ]).serialized())
            XCTAssertEqual(order.status, 201, order.body)
            let orderID = order["id"]!.stringValue!
            let runner = WorkOrderRunner(
                broker: BrokerClient(baseURL: b.baseURL, pak: agent.pak), kube: c.kube,
                agentID: agent.id, logger: Logger(label: "test"), pollInterval: .milliseconds(100))
            let running = Task { try await runner.runOnce() }
            // The job's pod finishes (as a kubelet would report it): the Job completes, and so does the order.
            var finished = false
            for _ in 0..<100 where !finished {
                try await Task.sleep(for: .milliseconds(100))
                for pod in try c.sim.cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "job-name=migrate") {
                    _ = try try c.sim.cluster.setStatus(
                        apiVersion: "v1", kind: "Pod", namespace: "default", name: pod["metadata"]!["name"]!.stringValue!,
                        status: KubePodStatus.terminated(pod, succeeded: true))
                    finished = true
                }
            }
            XCTAssertTrue(finished, "the Job got a pod")
            let outcomes = try await running.value
            XCTAssertEqual(outcomes.map(\.success), [true], "\(outcomes)")
            let log = try await b.get("work-order-log/\(orderID)", b.adminPAK)
            XCTAssertEqual(log["success"], .bool(true), log.body)
            XCTAssertEqual(log["claimed_by"], .string(agent.id))
        }
    }

    func testShipwrightBuildWorkOrderReportsTheImageDigest() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            let c = try await Self.cluster(b, agent: agent)
            defer { Task { await c.emulator?.shutdown() } }
            let sim = try c.sim
            // Shipwright's CRDs, as an installed cluster would have them.
            for kind in ["Build", "BuildRun"] {
                let plural = kind.lowercased() + "s"
                try await c.kube.apply(
                    try JSONValue.parse(
                        """
                        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"\(plural).shipwright.io"},
                         "spec":{"group":"shipwright.io","scope":"Namespaced","names":{"kind":"\(kind)","plural":"\(plural)","singular":"\(kind.lowercased())"},
                          "versions":[{"name":"v1beta1","served":true,"storage":true,"subresources":{"status":{}},
                                       "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
                        """), fieldManager: "test", force: true)
            }
            let yaml = """
                apiVersion: shipwright.io/v1beta1
                kind: Build
                metadata:
                  name: app
                  namespace: default
                spec:
                  source:
                    git:
                      url: https://example.com/app.git
                  strategy:
                    name: buildah
                    kind: ClusterBuildStrategy
                  output:
                    image: registry.example.com/app:v1
                """
            let order = try await b.post(
                "work-orders", b.adminPAK,
                JSONValue.object([
                    "work_type": .string("build"), "yaml_content": .string(yaml), "target_agent_ids": .array([.string(agent.id)]),
                ]).serialized())
            let orderID = order["id"]!.stringValue!
            let runner = WorkOrderRunner(
                broker: BrokerClient(baseURL: b.baseURL, pak: agent.pak), kube: c.kube,
                agentID: agent.id, logger: Logger(label: "test"), pollInterval: .milliseconds(100))
            let running = Task { try await runner.runOnce() }
            // The agent starts a BuildRun named after the Build and the order; the build "finishes".
            let runName = "app-\(orderID.prefix(8))"
            var finished = false
            for _ in 0..<100 where !finished {
                try await Task.sleep(for: .milliseconds(100))
                if let run = sim.cluster.get(apiVersion: "shipwright.io/v1beta1", kind: "BuildRun", namespace: "default", name: runName) {
                    XCTAssertEqual(run["metadata"]?["labels"]?["brokkr.io/work-order-id"]?.stringValue, orderID)
                    _ = try sim.cluster.setStatus(
                        apiVersion: "shipwright.io/v1beta1", kind: "BuildRun", namespace: "default", name: runName,
                        status: [
                            "conditions": [["type": "Succeeded", "status": "True", "reason": "Succeeded"]],
                            "output": ["digest": "sha256:abc123"],
                        ])
                    finished = true
                }
            }
            XCTAssertTrue(finished, "the BuildRun was applied")
            let outcomes = try await running.value
            XCTAssertEqual(outcomes.map(\.success), [true], "\(outcomes)")
            let log = try await b.get("work-order-log/\(orderID)", b.adminPAK)
            XCTAssertEqual(log["result_message"], .string("sha256:abc123"), log.body)

            // An unknown work type fails at once and is not retried.
            let odd = try await b.post(
                "work-orders", b.adminPAK,
                JSONValue.object([
                    "work_type": .string("backup"), "yaml_content": .string("a: 1"), "target_agent_ids": .array([.string(agent.id)]),
                    "max_retries": .int(3),
                ]).serialized())["id"]!.stringValue!
            let failed = try await runner.runOnce()
            XCTAssertEqual(failed.map(\.message), ["Unknown work type: backup"])
            do {
                let v = try await b.get("work-order-log/\(odd)", b.adminPAK)["success"]
                XCTAssertEqual(v, .bool(false), "not retryable: logged as failed")
            }
        }
    }
}
