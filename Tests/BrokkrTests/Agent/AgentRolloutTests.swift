import BrokkrCommon
import Foundation
import KubeEmulator
import XCTest

@testable import BrokkrAgent

/// What a new deployment object does to running workloads: only changed workloads roll (counted as
/// ReplicaSets, one per pod template), and changes the API server refuses in place are recreated or
/// reported as Flux and Argo CD do. Runs against the emulator, or the cluster in `KUBECONFIG`.
final class AgentRolloutTests: XCTestCase {
    static func deployment(_ name: String, image: String, namespace: String = "rollout") -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: \(name)
          namespace: \(namespace)
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: \(name)
          template:
            metadata:
              labels:
                app: \(name)
            spec:
              containers:
              - name: \(name)
                image: \(image)
        """
    }

    static let namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: rollout\n"

    static func stack(apiImage: String) -> String {
        [namespace, deployment("api", image: apiImage), deployment("worker", image: "worker:1"), deployment("cron", image: "cron:1")]
            .joined(separator: "\n---\n")
    }

    static func replicaSets(_ c: AgentReconcileTests.Cluster) async throws -> [JSONValue] {
        let resource = try await c.kube.resource(apiVersion: "apps/v1", kind: "ReplicaSet")
        return try await c.kube.list(resource, namespace: "rollout", labelSelector: "app in (api,worker,cron)")
    }

    func testANewDeploymentObjectRollsOnlyTheChangedDeployment() async throws {
        try await TestBroker.run { b in
            let (agent, _, stack, c) = try await AgentReconcileTests.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }
            let v1 = try await b.createObject(stackID: stack, yaml: Self.stack(apiImage: "api:1"))["id"]!.stringValue!
            do {
                let v = try await c.poller.pollOnce().map(\.success)
                XCTAssertEqual(v, [true])
            }
            let before = try await Self.replicaSets(c)
            XCTAssertEqual(before.count, 3, "one ReplicaSet per Deployment")

            // The pod template carries no per-version label: the workloads and their pods are found by selector.
            let api = try await c.has("apps/v1", "Deployment", "rollout", "api")
            XCTAssertNil(api?["spec"]?["template"]?["metadata"]?["labels"]?[OwnershipStamp.objectLabel])
            XCTAssertEqual(api?["metadata"]?["labels"]?[OwnershipStamp.objectLabel]?.stringValue, v1)
            if c.emulator != nil {
                let pods = try await WorkloadPods(kube: c.kube).pods(deploymentObjectID: v1)
                XCTAssertEqual(pods.count, 3)
            }

            // A new deployment object in which only `api` changed: exactly one new ReplicaSet.
            let v2 = try await b.createObject(stackID: stack, yaml: Self.stack(apiImage: "api:2"))["id"]!.stringValue!
            do {
                let v = try await c.poller.pollOnce().map(\.success)
                XCTAssertEqual(v, [true])
            }
            let after = try await Self.replicaSets(c)
            let created = Set(after.compactMap { $0["metadata"]?["name"]?.stringValue }).subtracting(
                before.compactMap { $0["metadata"]?["name"]?.stringValue })
            XCTAssertEqual(created.count, 1, "only the changed Deployment rolls: \(created)")
            XCTAssertTrue(created.first?.hasPrefix("api-") ?? false, "\(created)")
            let worker = try await c.has("apps/v1", "Deployment", "rollout", "worker")
            XCTAssertEqual(worker?["metadata"]?["generation"], .int(1), "an unchanged Deployment keeps its generation")
            XCTAssertEqual(worker?["metadata"]?["labels"]?[OwnershipStamp.objectLabel]?.stringValue, v2)

            // Health checks and diagnostics still find the pods of the new deployment object.
            if c.emulator != nil {
                let health = await HealthChecker(kube: c.kube).check(deploymentObjectID: UUID(uuidString: v2)!)
                XCTAssertEqual(health.status, "healthy", "\(health)")
                XCTAssertEqual(health.summary?.podsTotal, 3, "\(health)")
            }
            _ = agent
        }
    }

    static func job(image: String, namespace: String = "rollout") -> String {
        """
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: migrate
          namespace: \(namespace)
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: migrate
                image: \(image)
        """
    }

    func testAJobWhoseTemplateChangedIsRecreated() async throws {
        try await TestBroker.run { b in
            let (_, _, stack, c) = try await AgentReconcileTests.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }
            _ = try await b.createObject(stackID: stack, yaml: [Self.namespace, Self.job(image: "migrate:1")].joined(separator: "\n---\n"))
            do {
                let v = try await c.poller.pollOnce().map(\.success)
                XCTAssertEqual(v, [true])
            }
            let first = try await c.has("batch/v1", "Job", "rollout", "migrate")
            let firstUID = try XCTUnwrap(first?["metadata"]?["uid"]?.stringValue)

            // The same Job in a new deployment object is left alone (its template is unchanged).
            _ = try await b.createObject(
                stackID: stack,
                yaml: [
                    Self.namespace, Self.job(image: "migrate:1"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: rollout\n",
                ].joined(separator: "\n---\n"))
            do {
                let v = try await c.poller.pollOnce()
                XCTAssertEqual(v.map(\.success), [true], "\(v)")
            }
            do {
                let v = try await c.has("batch/v1", "Job", "rollout", "migrate")?["metadata"]?["uid"]?.stringValue
                XCTAssertEqual(v, firstUID)
            }

            // A changed template: the API refuses it in place, so the Job is deleted and created again.
            _ = try await b.createObject(stackID: stack, yaml: [Self.namespace, Self.job(image: "migrate:2")].joined(separator: "\n---\n"))
            let outcome = try await c.poller.pollOnce()
            XCTAssertEqual(outcome.map(\.success), [true], "\(outcome)")
            let second = try await c.has("batch/v1", "Job", "rollout", "migrate")
            XCTAssertNotEqual(second?["metadata"]?["uid"]?.stringValue, firstUID)
            XCTAssertEqual(second?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"], .string("migrate:2"))
        }
    }

    func testAnImmutableChangeFailsNamingTheFieldUnlessReplacementIsAsked() async throws {
        try await TestBroker.run { b in
            let (agent, _, stack, c) = try await AgentReconcileTests.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }
            let original = Self.deployment("api", image: "api:1")
            _ = try await b.createObject(stackID: stack, yaml: [Self.namespace, original].joined(separator: "\n---\n"))
            do {
                let v = try await c.poller.pollOnce().map(\.success)
                XCTAssertEqual(v, [true])
            }
            let firstUID = try await c.has("apps/v1", "Deployment", "rollout", "api")?["metadata"]?["uid"]?.stringValue

            // A new selector (and matching template labels) is refused: a FAILURE that names the field.
            let moved = original.replacingOccurrences(of: "app: api", with: "app: api-v2")
            _ = try await b.createObject(stackID: stack, yaml: [Self.namespace, moved].joined(separator: "\n---\n"))
            let failed = try await c.poller.pollOnce()
            XCTAssertEqual(failed.map(\.success), [false])
            let message = failed.first?.message ?? ""
            XCTAssertTrue(message.contains("Deployment/api: immutable field spec.selector"), message)
            XCTAssertTrue(message.contains("field is immutable"), message)
            let events = try await b.get("agents/\(agent.id)/events", agent.pak).json.arrayValue ?? []
            XCTAssertTrue(
                events.contains { $0["status"] == .string("FAILURE") && ($0["message"]?.stringValue?.contains("spec.selector") ?? false) },
                "\(events)")
            do {
                let v = try await c.has("apps/v1", "Deployment", "rollout", "api")?["metadata"]?["uid"]?.stringValue
                XCTAssertEqual(v, firstUID)
            }

            // Annotated brokkr.io/replace: "true", it is deleted and created again.
            let replaceable = moved.replacingOccurrences(
                of: "  namespace: rollout\nspec:", with: "  namespace: rollout\n  annotations:\n    brokkr.io/replace: \"true\"\nspec:")
            _ = try await b.createObject(stackID: stack, yaml: [Self.namespace, replaceable].joined(separator: "\n---\n"))
            let replaced = try await c.poller.pollOnce()
            XCTAssertEqual(replaced.map(\.success), [true], "\(replaced)")
            let now = try await c.has("apps/v1", "Deployment", "rollout", "api")
            XCTAssertNotEqual(now?["metadata"]?["uid"]?.stringValue, firstUID)
            XCTAssertEqual(now?["spec"]?["selector"]?["matchLabels"]?["app"], .string("api-v2"))
        }
    }

    /// A namespaced CRD of group example.com, v1, accepting any fields.
    static func crd(plural: String, kind: String) -> String {
        """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: \(plural).example.com
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: \(plural), singular: \(kind.lowercased()), kind: \(kind)}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                x-kubernetes-preserve-unknown-fields: true

        """
    }

    func testCustomResourcesWaitForTheirCRDToBeEstablished() async throws {
        try await TestBroker.run { b in
            let (_, _, stack, c) = try await AgentReconcileTests.targetedCluster(b, crdEstablishDelay: 0.5)
            defer { Task { await c.emulator?.shutdown() } }
            let yaml = """
                apiVersion: example.com/v1
                kind: Widget
                metadata:
                  name: first
                  namespace: default
                spec:
                  size: 3
                ---

                """ + Self.crd(plural: "widgets", kind: "Widget")
            _ = try await b.createObject(stackID: stack, yaml: yaml)
            let outcome = try await c.poller.pollOnce()
            XCTAssertEqual(outcome.map(\.success), [true], "\(outcome)")
            do {
                let v = try await c.has("example.com/v1", "Widget", "default", "first")?["spec"]?["size"]
                XCTAssertEqual(v, .int(3))
            }
        }
    }
}
