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

    /// A kubeconfig authenticating with the PKI's client certificate, in the PKI's folder.
    static func tlsKubeconfig(server: String, pki: TestPKI) throws -> String {
        let path = pki.dir + "/agent.kubeconfig"
        try """
        apiVersion: v1
        kind: Config
        clusters: [{name: emulator, cluster: {server: "\(server)", certificate-authority: ca.crt}}]
        users: [{name: agent, user: {client-certificate: client.crt, client-key: client.key}}]
        contexts: [{name: emulator, context: {cluster: emulator, user: agent}}]
        current-context: emulator
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func agentProcess(
        _ b: TestBroker, pak: String, name: String, kubeconfig: String, maxRetries: Int = 60,
        brokerURL: String? = nil, extra: [String: String] = [:]
    ) throws -> ChildProcess {
        try ChildProcess(
            product: "brokkr-agent", arguments: ["start"],
            environment: [
                "BROKKR__AGENT__BROKER_URL": brokerURL ?? b.baseURL, "BROKKR__AGENT__PAK": pak, "BROKKR__AGENT__AGENT_NAME": name,
                "BROKKR__AGENT__CLUSTER_NAME": "process-cluster", "BROKKR__AGENT__KUBECONFIG_PATH": kubeconfig,
                "BROKKR__AGENT__HEALTH_PORT": "0", "BROKKR__AGENT__POLLING_INTERVAL": "1", "BROKKR__AGENT__MAX_RETRIES": String(maxRetries),
                "BROKKR__AGENT__DEPLOYMENT_HEALTH_ENABLED": "false", "BROKKR__LOG__LEVEL": "info", "PATH": "/usr/bin:/bin",
            ].merging(extra) { $1 })
    }

    /// An agent targeting a new stack that holds one deployment object.
    static func targetedAgent(_ b: TestBroker, name: String, active: Bool, yaml: String) async throws -> (agent: TestBroker.Created, object: String) {
        let agent = try await b.createAgent(name, cluster: "process-cluster", active: active)
        let gen = try await b.createGenerator()
        let stack = try await b.createStack(generatorID: gen.id, pak: gen.pak)
        _ = try await b.post("agents/\(agent.id)/targets", gen.pak, #"{"agent_id":"\#(agent.id)","stack_id":"\#(stack)"}"#)
        let object = try await b.createObject(stackID: stack, yaml: yaml, pak: gen.pak)["id"]!.stringValue!
        return (agent, object)
    }

    /// `count` ConfigMaps in one YAML stream.
    static func configMaps(_ count: Int, prefix: String) -> String {
        (0..<count).map { "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \(prefix)-\($0)\n  namespace: default\ndata:\n  n: \"\($0)\"\n" }
            .joined(separator: "---\n")
    }

    /// ConfigMaps in `default` whose name starts with `prefix`, read in-process (no emulated latency).
    static func configMapCount(_ emulator: KubeEmulator, prefix: String) -> Int {
        let items =
            emulator.cluster.handle(KubeRequest(method: "GET", path: "/api/v1/namespaces/default/configmaps")).json?["items"]?.arrayValue ?? []
        return items.filter { $0["metadata"]?["name"]?.stringValue?.hasPrefix(prefix) ?? false }.count
    }

    /// The uid of ConfigMap `default/name`, read in-process; nil when it does not exist.
    static func configMapUID(_ emulator: KubeEmulator, name: String) -> String? {
        emulator.cluster.handle(KubeRequest(method: "GET", path: "/api/v1/namespaces/default/configmaps/\(name)")).json?["metadata"]?["uid"]?
            .stringValue
    }

    func testOverTLSAnInactiveAgentAppliesNothingThenAppliesAtOnceWhenActivatedResyncsAndStopsOnSIGTERM() async throws {
        try await TestBroker.run { b in
            let pki = try TestPKI()
            var options = KubeCluster.Options()
            options.namespaceDeletionDelay = 0
            let emulator = try await KubeEmulator.start(
                host: "127.0.0.1", port: 0, options: options,
                serving: KubeServing(tls: .init(certificateChainFile: pki.serverCert, privateKeyFile: pki.serverKey, clientCAFile: pki.caCert)))
            let kubeconfig = try Self.tlsKubeconfig(server: emulator.baseURL, pki: pki)
            let (agent, object) = try await Self.targetedAgent(
                b, name: "process-agent", active: false,
                yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-process\n  namespace: default\ndata:\n  a: b\n")

            let process = try Self.agentProcess(
                b, pak: agent.pak, name: "process-agent", kubeconfig: kubeconfig,
                extra: ["BROKKR__AGENT__RESYNC_INTERVAL": "2"])
            let registered = try await process.waitForOutput("Registered with broker")
            XCTAssertTrue(registered, process.output)
            try await Task.sleep(for: .seconds(3))
            XCTAssertEqual(Self.configMapCount(emulator, prefix: "from-process"), 0, "an INACTIVE agent applies nothing")

            do {
                let v = try await b.put("agents/\(agent.id)", b.adminPAK, #"{"status":"ACTIVE"}"#).status
                XCTAssertEqual(v, 200)
            }
            let applied = try await eventually { Self.configMapCount(emulator, prefix: "from-process") == 1 }
            XCTAssertTrue(applied, "applied over TLS with a client certificate soon after activation: \(process.output)")

            // Drift by hand is corrected by the periodic resync and reported. The resync runs every 2 s, so it may
            // recreate the ConfigMap before this test looks again: a new uid, not a count of zero, shows the delete.
            let kube = try KubeConfig.load(kubeconfigPath: kubeconfig).makeClient()
            let firstUID = try XCTUnwrap(Self.configMapUID(emulator, name: "from-process"))
            try await kube.delete(try await kube.resource(apiVersion: "v1", kind: "ConfigMap"), namespace: "default", name: "from-process")
            let restored = try await eventually {
                (Self.configMapUID(emulator, name: "from-process")).map { $0 != firstUID } ?? false
            }
            XCTAssertTrue(restored, "the resync recreated the deleted ConfigMap: \(process.output)")
            let resyncEvent = try await eventually {
                try await b.get("agents/\(agent.id)/events", b.adminPAK).json.arrayValue?.contains { $0["event_type"] == .string("RESYNC") } ?? false
            }
            XCTAssertTrue(resyncEvent)
            let deployed = try await b.get("agents/\(agent.id)/events", b.adminPAK).json.arrayValue?.filter { $0["event_type"] == .string("DEPLOY") }
            XCTAssertEqual(deployed?.map { $0["deployment_object_id"]?.stringValue }, [object])

            let heartbeats = try await b.get("agents/\(agent.id)", b.adminPAK)["last_heartbeat"]
            XCTAssertNotEqual(heartbeats, .null)
            process.signal(SIGTERM)
            let status = try await process.waitForExit(timeout: .seconds(5))
            XCTAssertEqual(status, 0, "exits 0 within 5 s of SIGTERM: \(process.output)")
            await emulator.shutdown()
        }
    }

    func testHeartbeatsKeepTheirIntervalWhileAReconcileIsSlowAndSIGTERMStillEndsItWithin5s() async throws {
        try await TestBroker.run { b in
            var options = KubeCluster.Options()
            options.latency = 0.25  // every API request takes 250 ms: the object below takes well over 10 s
            let emulator = try await KubeEmulator.start(host: "127.0.0.1", port: 0, options: options)
            let kubeconfig = try Self.kubeconfig(server: emulator.baseURL)
            defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
            let (agent, _) = try await Self.targetedAgent(b, name: "slow-agent", active: true, yaml: Self.configMaps(20, prefix: "slow"))

            let process = try Self.agentProcess(b, pak: agent.pak, name: "slow-agent", kubeconfig: kubeconfig)
            let registered = try await process.waitForOutput("Registered with broker")
            XCTAssertTrue(registered, process.output)
            var beats = Set<String>()
            for _ in 0..<12 {
                if let beat = try await b.get("agents/\(agent.id)", b.adminPAK)["last_heartbeat"]?.stringValue { beats.insert(beat) }
                try await Task.sleep(for: .milliseconds(500))
            }
            let reported = try await b.get("agents/\(agent.id)/events", b.adminPAK).json.arrayValue ?? []
            XCTAssertEqual(reported.count, 0, "the reconcile is still running")
            XCTAssertLessThan(Self.configMapCount(emulator, prefix: "slow"), 20, "the reconcile is still running")
            XCTAssertGreaterThanOrEqual(beats.count, 4, "a heartbeat a second (polling_interval 1) throughout 6 s of reconcile: \(beats.sorted())")

            process.signal(SIGTERM)
            let status = try await process.waitForExit(timeout: .seconds(5))
            XCTAssertEqual(status, 0, "an object that cannot finish in the grace period is cut off: \(process.output)")
            await emulator.shutdown()
        }
    }

    func testSIGTERMFinishesTheObjectInFlightAndReportsIt() async throws {
        try await TestBroker.run { b in
            var options = KubeCluster.Options()
            options.latency = 0.03
            let emulator = try await KubeEmulator.start(host: "127.0.0.1", port: 0, options: options)
            let kubeconfig = try Self.kubeconfig(server: emulator.baseURL)
            defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
            let (agent, object) = try await Self.targetedAgent(b, name: "stopping-agent", active: true, yaml: Self.configMaps(12, prefix: "flight"))

            let process = try Self.agentProcess(b, pak: agent.pak, name: "stopping-agent", kubeconfig: kubeconfig)
            let started = try await eventually { Self.configMapCount(emulator, prefix: "flight") > 0 }
            XCTAssertTrue(started, process.output)
            process.signal(SIGTERM)
            let status = try await process.waitForExit(timeout: .seconds(5))
            XCTAssertEqual(status, 0, process.output)
            XCTAssertEqual(Self.configMapCount(emulator, prefix: "flight"), 12, "the object in flight was finished")
            let events = try await b.get("agents/\(agent.id)/events", b.adminPAK).json.arrayValue ?? []
            XCTAssertEqual(events.map { $0["deployment_object_id"]?.stringValue }, [object], "and reported")
            XCTAssertEqual(events.first?["status"]?.stringValue, "SUCCESS")
            await emulator.shutdown()
        }
    }

    func testAWrongPAKEndsTheProcessWithAClearMessage() async throws {
        try await TestBroker.run { b in
            let kubeconfig = try Self.kubeconfig(server: "http://127.0.0.1:9")
            defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
            let process = try Self.agentProcess(
                b, pak: "brokkr_BRnope0000_notakeynotakeynotakey", name: "nobody",
                kubeconfig: kubeconfig, maxRetries: 1)
            let status = try await process.waitForExit(timeout: .seconds(15))
            XCTAssertNotNil(status, "the process ends by itself: \(process.output)")
            XCTAssertNotEqual(status, 0)
            XCTAssertTrue(process.output.contains("401"), "says the broker refused the key: \(process.output)")
        }
    }

    func testAnUnreachableBrokerAtStartUpEndsTheProcessAfterItsRetries() async throws {
        try await TestBroker.run { b in
            let kubeconfig = try Self.kubeconfig(server: "http://127.0.0.1:9")
            defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
            let process = try Self.agentProcess(
                b, pak: "brokkr_BRnope0000_notakeynotakeynotakey", name: "nobody",
                kubeconfig: kubeconfig, maxRetries: 2, brokerURL: "http://127.0.0.1:9")
            let status = try await process.waitForExit(timeout: .seconds(15))
            XCTAssertNotNil(status, "the process ends by itself after max_retries + 1 attempts a second apart: \(process.output)")
            XCTAssertNotEqual(status, 0)
            XCTAssertTrue(process.output.contains("Broker unreachable or refused (attempt 3)"), process.output)
            XCTAssertFalse(process.output.contains("attempt 4"), process.output)
            // The final error and the log line of a server still closing (Hummingbird logs it from a task of
            // its own) both go to standard error from different threads, so the line can land inside the
            // message: compare it without whole log records.
            let message = process.output.replacing(/\d{4}-\d\d-\d\dT[0-9:.]+Z [A-Z]+ brokkr-agent: [^\n]*\n/, with: "")
            XCTAssertTrue(message.contains("gave up finding this agent at the broker http://127.0.0.1:9 after 3 attempts"), process.output)
        }
    }
}
