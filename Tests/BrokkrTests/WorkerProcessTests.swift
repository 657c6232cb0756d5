import AsyncHTTPClient
import BrokkrCommon
import BrokkrQueue
import Foundation
import PostgresNIO
import XCTest

/// Worker executables as real processes: config file + environment, SIGHUP reload of hot keys,
/// graceful exit on SIGTERM, and real work against the test database.
final class WorkerProcessTests: XCTestCase {
    func testAuditWorkerMovesEntriesReloadsOnSIGHUPAndStopsOnSIGTERM() async throws {
        let schema = TestDatabase.uniqueSchema()
        let path = NSTemporaryDirectory() + "brokkr-worker-\(UUID().uuidString).toml"
        try "[workers]\npoll_interval_seconds = 5\nhealth_port = 0\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await TestDatabase.withMigratedDatabase(schema: schema) { database, _ in
            let worker = try ChildProcess(
                product: "brokkr-audit",
                environment: [
                    "BROKKR__DATABASE__URL": TestDatabase.url, "BROKKR__DATABASE__SCHEMA": schema,
                    "BROKKR_CONFIG_FILE": path, "BROKKR__LOG__LEVEL": "info", "PATH": "/usr/bin:/bin",
                ])
            let started = try await worker.waitForOutput("audit-batcher started")
            XCTAssertTrue(started, worker.output)

            // Real work: an entry written to the outbox reaches audit_logs (woken by NOTIFY).
            try await database.withTransaction { tx in
                try await AuditOutbox.write(
                    AuditEntry(actorType: "system", actorID: nil, action: "test.process", resourceType: "system", resourceID: nil),
                    on: tx)
            }
            var moved = false
            for _ in 0..<100 where !moved {
                for try await n in try await database.query("SELECT count(*)::int FROM audit_logs WHERE action = 'test.process'").decode(Int.self) {
                    moved = n == 1
                }
                if !moved { try await Task.sleep(for: .milliseconds(100)) }
            }
            XCTAssertTrue(moved, worker.output)

            // SIGHUP re-reads the file: the hot key changes, the static one does not.
            try "[workers]\npoll_interval_seconds = 7\nhealth_port = 1\n".write(toFile: path, atomically: true, encoding: .utf8)
            worker.signal(SIGHUP)
            let reloaded = try await worker.waitForOutput("workers.poll_interval_seconds: '5' -> '7'")
            XCTAssertTrue(reloaded, worker.output)
            XCTAssertTrue(worker.output.contains("reload: 1 change(s)"), worker.output)

            worker.signal(SIGTERM)
            let status = try await worker.waitForExit()
            XCTAssertEqual(status, 0, "graceful exit on SIGTERM: \(worker.output)")
        }
    }

    /// `POST /admin/config/reload` on one API replica reloads every replica and worker (NOTIFY
    /// brokkr_config_reload); `broker.webhook_delivery_interval_seconds` reaches the deliverer; a key no
    /// setting reads is warned about at start.
    func testAdminReloadReachesEveryReplicaAndWorkerAndUnknownKeysAreWarnedAbout() async throws {
        let path = NSTemporaryDirectory() + "brokkr-reload-all-\(UUID().uuidString).toml"
        @Sendable func write(interval: Int, origin: String) throws {
            try """
            [broker]
            webhook_delivery_interval_seconds = \(interval)
            allow_ephemeral_webhook_key = true
            webhok_batch_size = 3
            [workers]
            health_port = 0
            [cors]
            allowed_origins = ["\(origin)"]

            """.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write(interval: 5, origin: "http://old.example")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await TestBroker.run(extraConfig: ["BROKKR_CONFIG_FILE": path]) { b in
            let worker = try ChildProcess(
                product: "brokkr-webhooks",
                environment: [
                    "BROKKR__DATABASE__URL": TestDatabase.url, "BROKKR__DATABASE__SCHEMA": b.settings.database.schema ?? "public",
                    "BROKKR_CONFIG_FILE": path, "BROKKR__LOG__LEVEL": "info", "PATH": "/usr/bin:/bin",
                ])
            let started = try await worker.waitForOutput("webhook-delivery started")
            XCTAssertTrue(started, worker.output)
            XCTAssertTrue(worker.output.contains("Unknown configuration key broker.webhok_batch_size (from \(path))"), worker.output)

            try await b.withReplica { replica in
                func allowsNewOrigin() async throws -> Bool {
                    let r = try await replica.request(.GET, "/healthz", pak: nil, headers: [("Origin", "http://new.example")])
                    return r.headers.first(name: "Access-Control-Allow-Origin") == "http://new.example"
                }
                do {
                    let v = try await allowsNewOrigin()
                    XCTAssertFalse(v)
                }
                try write(interval: 9, origin: "http://new.example")
                let reload = try await b.post("admin/config/reload", b.adminPAK)
                XCTAssertEqual(reload.status, 200, reload.body)
                let keys = Set(reload["changes"]?.arrayValue?.compactMap { $0["key"]?.stringValue } ?? [])
                XCTAssertTrue(keys.isSuperset(of: ["broker.webhook_delivery_interval_seconds", "cors.allowed_origins"]), "\(keys)")
                let workerReloaded = try await worker.waitForOutput("broker.webhook_delivery_interval_seconds: '5' -> '9'", timeout: .seconds(10))
                XCTAssertTrue(workerReloaded, "the worker reloaded on the broker's NOTIFY: \(worker.output)")
                var replicaReloaded = false
                for _ in 0..<50 where !replicaReloaded {
                    replicaReloaded = try await allowsNewOrigin()
                    if !replicaReloaded { try await Task.sleep(for: .milliseconds(100)) }
                }
                XCTAssertTrue(replicaReloaded, "the other API replica reloaded too")
            }
            worker.signal(SIGTERM)
            let status = try await worker.waitForExit(timeout: .seconds(5))
            XCTAssertEqual(status, 0, worker.output)
        }
    }

    /// A partitioned database (a proxy that stops passing bytes, so queries hang rather than fail) must
    /// not hang the readiness probe: every executable answers `/readyz` 503 within about a second.
    func testReadyzAnswers503QuicklyOnEveryExecutableWhenTheDatabaseIsUnreachable() async throws {
        let schema = TestDatabase.uniqueSchema()
        try await TestDatabase.withMigratedDatabase(schema: schema) { _, _ in
            guard var url = URLComponents(string: TestDatabase.url), let host = url.host, let pgPort = url.port else {
                return XCTFail("cannot parse \(TestDatabase.url)")
            }
            // The proxy and the test talk through files in `state` (see blackhole_proxy.py for why not pipes).
            let state = FileManager.default.temporaryDirectory.appendingPathComponent("blackhole-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
            func stateFile(_ name: String) -> String? { try? String(contentsOf: state.appendingPathComponent(name), encoding: .utf8) }
            func waitForStateFile(_ name: String) async throws -> String? {
                for _ in 0..<500 {
                    if let text = stateFile(name) { return text }
                    try await Task.sleep(for: .milliseconds(20))
                }
                return nil
            }
            let proxy = Process()
            proxy.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            proxy.arguments = [
                "python3", URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/blackhole_proxy.py").path,
                "0", host, String(pgPort), state.path,
            ]
            try proxy.run()
            defer {
                FileManager.default.createFile(atPath: state.appendingPathComponent("stop").path, contents: nil)
                kill(proxy.processIdentifier, SIGKILL)
                try? FileManager.default.removeItem(at: state)
            }
            let portText = try await waitForStateFile("port")
            let proxyPort = try XCTUnwrap(portText.flatMap { Int($0) }, "the proxy did not start")
            url.port = proxyPort
            let base = [
                "BROKKR__DATABASE__URL": url.string!, "BROKKR__DATABASE__SCHEMA": schema, "BROKKR__LOG__LEVEL": "info",
                "PATH": "/usr/bin:/bin", "BROKKR__WORKERS__HEALTH_PORT": "0", "BROKKR__BROKER__ALLOW_EPHEMERAL_WEBHOOK_KEY": "true",
                "TMPDIR": NSTemporaryDirectory(),
            ]
            let executables: [(String, [String])] = [
                ("brokkr-api", ["serve", "--host", "127.0.0.1", "--port", "0"]), ("brokkr-cleanup", []), ("brokkr-audit", []),
                ("brokkr-workorders", []), ("brokkr-webhooks", []),
            ]
            var running: [(String, ChildProcess, Int)] = []
            for (product, arguments) in executables {
                let process = try ChildProcess(product: product, arguments: arguments, environment: base)
                let listening = try await process.waitForOutput("listening on")
                XCTAssertTrue(listening, "\(product): \(process.output)")
                running.append((product, process, try XCTUnwrap(process.listeningPort, process.output)))
            }
            func readyz(_ port: Int) async throws -> (Int, Duration) {
                let started = ContinuousClock.now
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/readyz"), timeout: .seconds(10))
                return (Int(response.status.code), ContinuousClock.now - started)
            }
            for (product, _, port) in running {
                let (status, _) = try await readyz(port)
                XCTAssertEqual(status, 200, product)
            }
            FileManager.default.createFile(atPath: state.appendingPathComponent("hole").path, contents: nil)
            let acknowledged = try await waitForStateFile("holed")
            XCTAssertEqual(acknowledged, "holed", "the proxy confirms the partition (running: \(proxy.isRunning))")
            for (product, _, port) in running {
                let (status, took) = try await readyz(port)
                XCTAssertEqual(status, 503, product)
                // The probe gives up after 1 s; the margin is for a loaded machine. Without the probe's own
                // timeout the answer would come only after PostgresNIO's (10 s and more).
                XCTAssertLessThan(took, .seconds(4), "\(product) answered after its probe timeout, not after the database's timeouts")
            }
            for (_, process, _) in running {
                process.signal(SIGKILL)
                _ = try await process.waitForExit(timeout: .seconds(5))
            }
        }
    }

    /// Kubernetes sends SIGTERM on every rollout and SIGKILLs what is still running after the grace
    /// period: every long-running executable must exit 0 well within it, whatever its sweep interval.
    func testEveryExecutableExitsPromptlyOnSIGTERM() async throws {
        let schema = TestDatabase.uniqueSchema()
        try await TestDatabase.withMigratedDatabase(schema: schema) { _, _ in
            let base = [
                "BROKKR__DATABASE__URL": TestDatabase.url, "BROKKR__DATABASE__SCHEMA": schema, "BROKKR__LOG__LEVEL": "info",
                "PATH": "/usr/bin:/bin", "BROKKR__WORKERS__HEALTH_PORT": "0", "BROKKR__BROKER__ALLOW_EPHEMERAL_WEBHOOK_KEY": "true",
                "BROKKR__BROKER__DIAGNOSTIC_CLEANUP_INTERVAL_SECONDS": "3600", "TMPDIR": NSTemporaryDirectory(),
            ]
            let executables: [(String, [String], String)] = [
                ("brokkr-cleanup", [], "started"), ("brokkr-audit", [], "started"), ("brokkr-workorders", [], "started"),
                ("brokkr-webhooks", [], "started"), ("brokkr-api", ["serve", "--host", "127.0.0.1", "--port", "0"], "Starting server"),
            ]
            for (product, arguments, ready) in executables {
                let process = try ChildProcess(product: product, arguments: arguments, environment: base)
                let started = try await process.waitForOutput(ready)
                XCTAssertTrue(started, "\(product) did not start: \(process.output)")
                try await Task.sleep(for: .milliseconds(300))  // into its first idle wait
                let signalled = ContinuousClock.now
                process.signal(SIGTERM)
                let status = try await process.waitForExit(timeout: .seconds(5))
                XCTAssertEqual(status, 0, "\(product) must exit 0 within 5 s of SIGTERM: \(process.output)")
                XCTAssertLessThan(ContinuousClock.now - signalled, .seconds(5), product)
            }
        }
    }

    func testWorkerRefusesABadConfigurationClearly() async throws {
        let worker = try ChildProcess(
            product: "brokkr-cleanup", environment: ["BROKKR__BROKER__DIAGNOSTIC_MAX_AGE_HOURS": "soon", "PATH": "/usr/bin:/bin"])
        let status = try await worker.waitForExit()
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(worker.output.contains("broker.diagnostic_max_age_hours"), worker.output)
    }
}
