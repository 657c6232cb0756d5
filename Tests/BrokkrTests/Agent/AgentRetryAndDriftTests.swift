import BrokkrCommon
import Foundation
import KubeEmulator
import Logging
import XCTest

@testable import BrokkrAgent

/// A failed deployment object is retried with back-off until it succeeds; a failed event report does
/// not drop the rest of the round; the periodic resync corrects drift made by hand and reports it; and
/// the applied set is rebuilt from the cluster after a restart. Broker, agent code and emulator over HTTP.
final class AgentRetryAndDriftTests: XCTestCase {
    typealias Cluster = AgentReconcileTests.Cluster

    static func poller(
        _ b: TestBroker, agent: TestBroker.Created, _ c: Cluster, retries: ApplyRetries,
        applied: AppliedObjects = AppliedObjects()
    ) -> DeploymentPoller {
        var logger = Logger(label: "agent-test")
        logger.logLevel = .critical
        return DeploymentPoller(
            broker: BrokerClient(baseURL: b.baseURL, pak: agent.pak),
            reconciler: Reconciler(kube: c.kube, agentID: agent.id, logger: logger), agentID: agent.id,
            eventRetries: 0, eventRetryDelay: .milliseconds(10), logger: logger, applied: applied, retries: retries)
    }

    static let gadgetCRD: JSONValue = try! YAMLDocuments.parse(AgentRolloutTests.crd(plural: "gadgets", kind: "Gadget"))[0]

    func testAFailedObjectIsRetriedWithBackOffUntilItSucceedsAndStaysInTheTargetStateUntilThen() async throws {
        try await TestBroker.run { b in
            let (agent, _, stack, c) = try await AgentReconcileTests.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }
            let retries = ApplyRetries(initial: .milliseconds(800), maximum: .seconds(2))
            let poller = Self.poller(b, agent: agent, c, retries: retries)
            let id = try await b.createObject(
                stackID: stack, yaml: "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n  namespace: default\nspec:\n  size: 1\n")[
                    "id"]!.stringValue!

            // The Gadget kind does not exist yet: the apply fails and is reported.
            do {
                let v = try await poller.pollOnce().map(\.success)
                XCTAssertEqual(v, [false])
            }
            XCTAssertEqual(retries.pending, [id])
            XCTAssertNil(poller.etag.value, "no conditional poll while an object waits for its retry")
            let stillTargeted = try await b.get("agents/\(agent.id)/target-state", agent.pak).json.arrayValue?.compactMap { $0["id"]?.stringValue }
            XCTAssertEqual(stillTargeted, [id], "the broker keeps sending a failed object until SUCCESS")

            // Within the back-off the object is not tried again; a second failure doubles the wait.
            do {
                let v = try await poller.pollOnce()
                XCTAssertEqual(v, [], "inside the back-off: not applied, not reported")
            }
            try await Task.sleep(for: .milliseconds(900))
            do {
                let v = try await poller.pollOnce().map(\.success)
                XCTAssertEqual(v, [false], "retried once the back-off passed")
            }
            try await Task.sleep(for: .milliseconds(900))
            do {
                let v = try await poller.pollOnce()
                XCTAssertEqual(v, [], "the second back-off is twice as long")
            }

            // The transient cause goes away: the next attempt succeeds and the object leaves the target state.
            try await c.kube.apply(Self.gadgetCRD, fieldManager: "test", force: true)
            for _ in 0..<100 {
                let crd = try await c.has("apiextensions.k8s.io/v1", "CustomResourceDefinition", nil, "gadgets.example.com")
                if crd?["status"]?["conditions"]?.arrayValue?.contains(where: {
                    $0["type"] == .string("Established") && $0["status"] == .string("True")
                }) == true {
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .milliseconds(900))
            do {
                let v = try await poller.pollOnce().map(\.success)
                XCTAssertEqual(v, [true])
            }
            XCTAssertEqual(retries.pending, [])
            do {
                let v = try await c.has("example.com/v1", "Gadget", "default", "g")
                XCTAssertNotNil(v)
            }
            do {
                let v = try await b.get("agents/\(agent.id)/target-state", agent.pak).json
                XCTAssertEqual(v, .array([]))
            }
            let statuses = try await b.get("agents/\(agent.id)/events", agent.pak).json.arrayValue?.compactMap { $0["status"]?.stringValue }
            XCTAssertEqual(statuses, ["FAILURE", "FAILURE", "SUCCESS"])
        }
    }

    func testAnObjectThatCannotParseIsReportedOnceAndNotRetried() async throws {
        try await TestBroker.run { b in
            let (agent, _, stack, c) = try await AgentReconcileTests.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }
            let retries = ApplyRetries(initial: .milliseconds(50), maximum: .milliseconds(50))
            let poller = Self.poller(b, agent: agent, c, retries: retries)
            try await b.insertUncheckedObject(stackID: stack, yaml: "kind: ConfigMap\nmetadata: [unclosed")
            let first = try await poller.pollOnce()
            XCTAssertEqual(first.map(\.success), [false])
            XCTAssertTrue(first.first?.message?.contains("invalid YAML") ?? false, "\(first)")
            XCTAssertEqual(retries.pending, [], "nothing waits for a retry that would fail the same way")

            // Well past the back-off: the object is still targeted, but neither applied nor reported again,
            // and the agent's polls are conditional again.
            for _ in 0..<3 {
                try await Task.sleep(for: .milliseconds(100))
                let again = try await poller.pollOnce()
                XCTAssertEqual(again, [])
            }
            XCTAssertNotNil(poller.etag.value)
            let statuses = try await b.get("agents/\(agent.id)/events", agent.pak).json.arrayValue?.compactMap { $0["status"]?.stringValue }
            XCTAssertEqual(statuses, ["FAILURE"])

            // A newer object for the stack replaces it and is applied at once.
            let fixed = try await b.createObject(
                stackID: stack, yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fixed\n  namespace: default\n")["id"]!.stringValue!
            let outcomes = try await poller.pollOnce()
            XCTAssertEqual(outcomes, [DeploymentPoller.Outcome(deploymentObjectID: fixed, success: true, message: nil)])
        }
    }

    func testANewerObjectReplacesOneWaitingForItsRetry() async throws {
        try await TestBroker.run { b in
            let (agent, _, stack, c) = try await AgentReconcileTests.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }
            let retries = ApplyRetries(initial: .seconds(60), maximum: .seconds(60))
            let poller = Self.poller(b, agent: agent, c, retries: retries)
            _ = try await b.createObject(
                stackID: stack, yaml: "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n  namespace: default\n")
            do {
                let v = try await poller.pollOnce().map(\.success)
                XCTAssertEqual(v, [false])
            }
            let fixed = try await b.createObject(
                stackID: stack, yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fixed\n  namespace: default\n")["id"]!.stringValue!
            let outcomes = try await poller.pollOnce()
            XCTAssertEqual(
                outcomes, [DeploymentPoller.Outcome(deploymentObjectID: fixed, success: true, message: nil)],
                "the newer object is applied at once, the back-off of the one it replaced is forgotten")
            XCTAssertEqual(retries.pending, [])
        }
    }

    func testAFailedEventReportDoesNotDropTheRestOfTheRound() async throws {
        try await TestBroker.run { b in
            let (agent, _, stack, c) = try await AgentReconcileTests.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }
            let poller = Self.poller(b, agent: agent, c, retries: ApplyRetries())
            let real = try await b.createObject(
                stackID: stack, yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\n  namespace: default\n")
            // The broker refuses the first report (it knows no such object); the second object must still
            // be applied and reported, and the round then fails so its tag is not kept.
            var unknown = real.objectValue!
            unknown["id"] = .string(UUID().uuidString.lowercased())
            unknown["stack_id"] = .string(UUID().uuidString.lowercased())
            unknown["yaml_content"] = .string("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n  namespace: default\n")
            let body = JSONValue.array([.object(unknown), real]).serialized()
            do {
                _ = try await poller.process(body)
                XCTFail("the lost report is an error of the round")
            } catch let error as BrokerClient.BrokerError {
                XCTAssertEqual(error.status, 404)
            }
            do {
                let v = try await c.has("v1", "ConfigMap", "default", "second")
                XCTAssertNotNil(v, "the object after the lost report is applied")
            }
            let reported = try await b.get("agents/\(agent.id)/events", agent.pak).json.arrayValue?.compactMap {
                $0["deployment_object_id"]?.stringValue
            }
            XCTAssertEqual(reported, [real["id"]!.stringValue!], "and reported")
        }
    }

    func testResyncCorrectsDriftMadeByHandAndReportsIt() async throws {
        try await TestBroker.run { b in
            let (agent, _, stack, c) = try await AgentReconcileTests.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }
            let poller = Self.poller(b, agent: agent, c, retries: ApplyRetries())
            let id = try await b.createObject(stackID: stack, yaml: AgentReconcileTests.app)["id"]!.stringValue!
            do {
                let v = try await poller.pollOnce().map(\.success)
                XCTAssertEqual(v, [true])
            }
            do {
                let v = try await poller.resync()
                XCTAssertEqual(v, [], "nothing drifted: the re-apply changes nothing and reports nothing")
            }

            // By hand: the ConfigMap is deleted and the replica count, a field Brokkr manages, is edited.
            try await c.kube.delete(try await c.kube.resource(apiVersion: "v1", kind: "ConfigMap"), namespace: "web", name: "settings")
            let scaled: JSONValue = .object([
                "apiVersion": .string("apps/v1"), "kind": .string("Deployment"),
                "metadata": .object(["name": .string("frontend"), "namespace": .string("web")]),
                "spec": .object(["replicas": .int(5)]),
            ])
            try await c.kube.apply(scaled, fieldManager: "kubectl-edit", force: true)
            do {
                let v = try await c.has("apps/v1", "Deployment", "web", "frontend")?["spec"]?["replicas"]
                XCTAssertEqual(v, .int(5))
            }

            let corrected = try await poller.resync()
            XCTAssertEqual(corrected.map(\.deploymentObjectID), [id])
            XCTAssertEqual(corrected.map(\.success), [true])
            let message = corrected.first?.message ?? ""
            XCTAssertTrue(message.contains("ConfigMap web/settings recreated"), message)
            XCTAssertTrue(message.contains("Deployment web/frontend corrected"), message)
            XCTAssertFalse(message.contains("Namespace"), "unchanged objects are not named: \(message)")
            do {
                let v = try await c.has("v1", "ConfigMap", "web", "settings")
                XCTAssertNotNil(v)
            }
            do {
                let v = try await c.has("apps/v1", "Deployment", "web", "frontend")?["spec"]?["replicas"]
                XCTAssertEqual(v, .int(2))
            }
            let events = try await b.get("agents/\(agent.id)/events", agent.pak).json.arrayValue ?? []
            XCTAssertEqual(events.map { $0["event_type"]?.stringValue ?? "" }, ["DEPLOY", "RESYNC"])
            XCTAssertEqual(events.last?["message"]?.stringValue, message)
            do {
                let v = try await poller.resync()
                XCTAssertEqual(v, [], "corrected once, quiet afterwards")
            }

            // A new object is the poll's to deploy (and report as DEPLOY), never the resync's.
            _ = try await b.createObject(stackID: stack, yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: newer\n  namespace: default\n")
            do {
                let v = try await poller.resync()
                XCTAssertEqual(v, [])
            }
            do {
                let v = try await c.has("v1", "ConfigMap", "default", "newer")
                XCTAssertNil(v)
            }
            do {
                let v = try await poller.pollOnce().map(\.success)
                XCTAssertEqual(v, [true])
            }
        }
    }

    func testTheAppliedSetIsRebuiltFromTheClusterAfterARestart() async throws {
        try await TestBroker.run { b in
            let (agent, gen, stack, c) = try await AgentReconcileTests.targetedCluster(b)
            defer { Task { await c.emulator?.shutdown() } }
            let other = try await b.createStack(generatorID: gen.id)
            _ = try await b.post("agents/\(agent.id)/targets", b.adminPAK, #"{"stack_id":"\#(other)"}"#)
            let first = try await b.createObject(stackID: stack, yaml: AgentReconcileTests.app)["id"]!.stringValue!
            let second = try await b.createObject(
                stackID: other, yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n  namespace: default\n")["id"]!.stringValue!
            do {
                let v = try await Self.poller(b, agent: agent, c, retries: ApplyRetries()).pollOnce().map(\.success)
                XCTAssertEqual(v, [true, true])
            }

            // A new process knows nothing until it reads the labels it stamped.
            let restarted = AppliedObjects()
            do {
                let v = await restarted.objectIDs
                XCTAssertEqual(v, [])
            }
            let stacks = try await restarted.restoreOnce(from: c.kube, agentID: agent.id)
            XCTAssertEqual(stacks, 2)
            do {
                let v = await restarted.objectIDs
                XCTAssertEqual(v, [first, second].sorted())
            }
            do {
                let v = try await restarted.restoreOnce(from: c.kube, agentID: agent.id)
                XCTAssertNil(v, "once per process")
            }
            // Health reports resume: the reporter finds the objects again.
            let sent = try await HealthReporter(
                broker: BrokerClient(baseURL: b.baseURL, pak: agent.pak), checker: HealthChecker(kube: c.kube),
                applied: restarted, agentID: agent.id
            ).reportOnce()
            XCTAssertEqual(Set(sent.map(\.id.lowercasedString)), [first, second])

            let stranger = AppliedObjects()
            do {
                let v = try await stranger.restore(from: c.kube, agentID: UUID().uuidString.lowercased())
                XCTAssertEqual(v, 0, "another agent's objects are not its own")
            }
        }
    }
}
