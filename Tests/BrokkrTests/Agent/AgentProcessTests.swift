import BrokkrAgent
import BrokkrCommon
import Foundation
import KubeEmulator
import XCTest

/// `brokkr-agent start` as a real process against a real broker and the Kubernetes emulator.
final class AgentProcessTests: XCTestCase {
    static func kubeconfig(server: String) throws -> String {
        let path = NSTemporaryDirectory() + "brokkr-agent-kubeconfig-\(UUID().uuidString).yaml"
        try """
            apiVersion: v1
            kind: Config
            clusters: [{name: emulator, cluster: {server: "\(server)"}}]
            users: [{name: agent, user: {token: unused}}]
            contexts: [{name: emulator, context: {cluster: emulator, user: agent}}]
            current-context: emulator
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func agentProcess(_ b: TestBroker, pak: String, name: String, kubeconfig: String, maxRetries: Int = 60) throws -> ChildProcess {
        try ChildProcess(product: "brokkr-agent", arguments: ["start"], environment: [
            "BROKKR__AGENT__BROKER_URL": b.baseURL, "BROKKR__AGENT__PAK": pak, "BROKKR__AGENT__AGENT_NAME": name,
            "BROKKR__AGENT__CLUSTER_NAME": "process-cluster", "BROKKR__AGENT__KUBECONFIG_PATH": kubeconfig,
            "BROKKR__AGENT__HEALTH_PORT": "0", "BROKKR__AGENT__POLLING_INTERVAL": "1", "BROKKR__AGENT__MAX_RETRIES": String(maxRetries),
            "BROKKR__AGENT__DEPLOYMENT_HEALTH_ENABLED": "false", "BROKKR__LOG__LEVEL": "info", "PATH": "/usr/bin:/bin",
        ])
    }

    func testAnInactiveAgentAppliesNothingThenAppliesAtOnceWhenActivatedAndStopsOnSIGTERM() async throws {
        try await TestBroker.run { b in
            var options = KubeCluster.Options()
            options.namespaceDeletionDelay = 0
            let emulator = try await KubeEmulator.start(host: "127.0.0.1", port: 0, options: options)
            let kubeconfig = try Self.kubeconfig(server: emulator.baseURL)
            defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
            let agent = try await b.createAgent("process-agent", cluster: "process-cluster", active: false)
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id, pak: gen.pak)
            _ = try await b.post("agents/\(agent.id)/targets", gen.pak, #"{"agent_id":"\#(agent.id)","stack_id":"\#(stack)"}"#)
            _ = try await b.createObject(stackID: stack, yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-process\n  namespace: default\ndata:\n  a: b\n", pak: gen.pak)

            let process = try Self.agentProcess(b, pak: agent.pak, name: "process-agent", kubeconfig: kubeconfig)
            let registered = try await process.waitForOutput("Registered with broker")
            XCTAssertTrue(registered, process.output)
            let kube = KubeClient(server: emulator.baseURL)
            func configMap() async throws -> Bool {
                try await kube.get(.object(["apiVersion": .string("v1"), "kind": .string("ConfigMap"), "metadata": .object([
                    "name": .string("from-process"), "namespace": .string("default")])])) != nil
            }
            try await Task.sleep(for: .seconds(3))
            let appliedWhileInactive = try await configMap()
            XCTAssertFalse(appliedWhileInactive, "an INACTIVE agent applies nothing")

            do { let v = try await b.put("agents/\(agent.id)", b.adminPAK, #"{"status":"ACTIVE"}"#).status; XCTAssertEqual(v, 200) }
            var applied = false
            for _ in 0..<100 where !applied {
                applied = try await configMap()
                if !applied { try await Task.sleep(for: .milliseconds(200)) }
            }
            XCTAssertTrue(applied, "applied soon after activation: \(process.output)")

            let heartbeats = try await b.get("agents/\(agent.id)", b.adminPAK)["last_heartbeat"]
            XCTAssertNotEqual(heartbeats, .null)
            process.signal(SIGTERM)
            let status = try await process.waitForExit(timeout: .seconds(5))
            XCTAssertEqual(status, 0, "exits 0 within 5 s of SIGTERM: \(process.output)")
            await emulator.shutdown()
        }
    }

    func testAWrongPAKEndsTheProcessWithAClearMessage() async throws {
        try await TestBroker.run { b in
            let kubeconfig = try Self.kubeconfig(server: "http://127.0.0.1:9")
            defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
            let process = try Self.agentProcess(b, pak: "brokkr_BRnope0000_notakeynotakeynotakey", name: "nobody",
                                                kubeconfig: kubeconfig, maxRetries: 1)
            let status = try await process.waitForExit(timeout: .seconds(15))
            XCTAssertNotNil(status, "the process ends by itself: \(process.output)")
            XCTAssertNotEqual(status, 0)
            XCTAssertTrue(process.output.contains("401"), "says the broker refused the key: \(process.output)")
        }
    }
}
