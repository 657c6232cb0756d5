import BrokkrCommon
import Foundation
import KubeEmulator
import Logging
import XCTest

@testable import BrokkrAgent

/// The reconciler applies a tier of objects concurrently (`agent.apply_concurrency`): namespaces and
/// CRDs still go first, a refused tier changes nothing and names every refused object in document
/// order, the outcome is the same as a sequential apply's, an unchanged re-apply writes nothing, and a
/// deletion marker prunes and reports every object.
final class AgentConcurrentApplyTests: XCTestCase {
    static func document(badAt: Set<Int> = []) -> String {
        var documents = (0..<12).map { index -> String in
            badAt.contains(index)
                ? "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad-\(index)\n  namespace: tier\nspec:\n  replicas: 1\n"
                : "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-\(index)\n  namespace: tier\ndata:\n  n: \"\(index)\"\n"
        }
        documents.append("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tier\n")  // listed last, applied first
        return documents.joined(separator: "---\n")
    }

    func testATierIsAppliedConcurrentlyAfterItsNamespaceAndARefusalNamesEveryRefusedObjectInOrder() async throws {
        try await TestBroker.run { b in
            let (agent, _, stack, c) = try await AgentReconcileTests.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }
            var logger = Logger(label: "agent-test")
            logger.logLevel = .critical
            let reconciler = Reconciler(kube: c.kube, agentID: agent.id, logger: logger, concurrency: 4)
            func object(_ yaml: String) -> Reconciler.DeploymentObject {
                try! Reconciler.DeploymentObject(
                    json: .object([
                        "id": .string(UUID().uuidString.lowercased()), "stack_id": .string(stack), "yaml_content": .string(yaml),
                        "yaml_checksum": .string(Checksum.sha256Hex(yaml)),
                    ]))
            }

            do {
                try await reconciler.reconcile(object(Self.document(badAt: [9, 3])))
                XCTFail("two Deployments without selector or template are refused")
            } catch {
                let message = "\(error)"
                let first = try XCTUnwrap(message.range(of: "Deployment tier/bad-3"), message)
                let second = try XCTUnwrap(message.range(of: "Deployment tier/bad-9"), message)
                XCTAssertLessThan(first.lowerBound, second.lowerBound, "refusals in document order: \(message)")
                XCTAssertTrue(message.hasPrefix("validation failed: "), message)
            }
            do {
                let v = try await c.has("v1", "ConfigMap", "tier", "cm-0")
                XCTAssertNil(v, "a refused tier applies nothing")
            }
            do {
                let v = try await c.has("v1", "Namespace", nil, "tier")
                XCTAssertNil(v, "and the namespace it created is rolled back")
            }

            let good = object(Self.document())
            let changes = try await reconciler.reconcile(good)
            XCTAssertEqual(changes, [])
            for index in 0..<12 {
                let cm = try await c.has("v1", "ConfigMap", "tier", "cm-\(index)")
                XCTAssertEqual(cm?["data"]?["n"], .string("\(index)"))
                XCTAssertEqual(cm?["metadata"]?["labels"]?["k8s.brokkr.io/stack"]?.stringValue, stack)
            }

            // Applying the same object again skips what already carries its id and checksum (a hand edit
            // survives it); the resync, which reads every object, corrects it.
            try await c.kube.apply(
                .object([
                    "apiVersion": .string("v1"), "kind": .string("ConfigMap"),
                    "metadata": .object(["name": .string("cm-5"), "namespace": .string("tier")]),
                    "data": .object(["n": .string("edited")]),
                ]), fieldManager: "kubectl-edit", force: true)
            c.emulator?.cluster.clearRequests()
            try await reconciler.reconcile(good)
            do {
                let v = try await c.has("v1", "ConfigMap", "tier", "cm-5")?["data"]?["n"]
                XCTAssertEqual(v, .string("edited"), "skipped")
            }
            if let emulator = c.emulator {
                // The namespace is skipped too: the unchanged re-apply only reads (one list per type).
                let writes = emulator.cluster.requests().filter { $0.method != "GET" }.map { "\($0.method) \($0.path)" }
                XCTAssertEqual(writes, [], "an unchanged re-apply writes nothing")
            }
            let corrected = try await reconciler.reconcile(good, observingDrift: true)
            XCTAssertEqual(corrected, ["ConfigMap tier/cm-5 corrected"])
            do {
                let v = try await c.has("v1", "ConfigMap", "tier", "cm-5")?["data"]?["n"]
                XCTAssertEqual(v, .string("5"))
            }
            // The same content posted as a new object (a new id) is applied in full, as in the original.
            let again = object(Self.document())
            try await reconciler.reconcile(again)
            do {
                let v = try await c.has("v1", "ConfigMap", "tier", "cm-7")?["metadata"]?["labels"]?["brokkr.io/deployment-object-id"]?.stringValue
                XCTAssertEqual(v, again.id)
            }

            // A deletion marker prunes every object of the stack (the deletes run concurrently) and
            // reports each one.
            let marker = try Reconciler.DeploymentObject(
                json: .object([
                    "id": .string(UUID().uuidString.lowercased()), "stack_id": .string(stack), "yaml_content": .string(""),
                    "yaml_checksum": .string(""), "is_deletion_marker": .bool(true),
                ]))
            let pruned = try await reconciler.reconcile(marker, observingDrift: true)
            XCTAssertEqual(Set(pruned), Set((0..<12).map { "ConfigMap tier/cm-\($0) pruned" } + ["Namespace tier pruned"]), "\(pruned)")
            XCTAssertEqual(pruned.count, 13)
            for index in 0..<12 {
                let cm = try await c.has("v1", "ConfigMap", "tier", "cm-\(index)")
                XCTAssertNil(cm)
            }
        }
    }
}
