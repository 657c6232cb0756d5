@testable import BrokkrAgent
import BrokkrCommon
import Foundation
import KubeEmulator
import XCTest

/// What a new deployment object does to running workloads: only changed workloads roll (counted as
/// ReplicaSets, one per pod template). Runs against the emulator, or the cluster in `KUBECONFIG`.
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
            do { let v = try await c.poller.pollOnce().map(\.success); XCTAssertEqual(v, [true]) }
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
            do { let v = try await c.poller.pollOnce().map(\.success); XCTAssertEqual(v, [true]) }
            let after = try await Self.replicaSets(c)
            let created = Set(after.compactMap { $0["metadata"]?["name"]?.stringValue }).subtracting(before.compactMap { $0["metadata"]?["name"]?.stringValue })
            XCTAssertEqual(created.count, 1, "only the changed Deployment rolls: \(created)")
            XCTAssertTrue(created.first?.hasPrefix("api-") ?? false, "\(created)")
            let worker = try await c.has("apps/v1", "Deployment", "rollout", "worker")
            XCTAssertEqual(worker?["metadata"]?["generation"], .int(1), "an unchanged Deployment keeps its generation")
            XCTAssertEqual(worker?["metadata"]?["labels"]?[OwnershipStamp.objectLabel]?.stringValue, v2)

            // Health checks and diagnostics still find the pods of the new deployment object.
            if c.emulator != nil {
                let health = await HealthChecker(kube: c.kube).check(deploymentObjectID: v2)
                XCTAssertEqual(health["status"], .string("healthy"), "\(health)")
                XCTAssertEqual(health["summary"]?["pods_total"], .int(3), "\(health)")
            }
            _ = agent
        }
    }
}
