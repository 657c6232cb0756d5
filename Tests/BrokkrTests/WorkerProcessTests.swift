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
            let worker = try ChildProcess(product: "brokkr-audit", environment: [
                "BROKKR__DATABASE__URL": TestDatabase.url, "BROKKR__DATABASE__SCHEMA": schema,
                "BROKKR_CONFIG_FILE": path, "BROKKR__LOG__LEVEL": "info", "PATH": "/usr/bin:/bin",
            ])
            let started = try await worker.waitForOutput("audit-batcher started")
            XCTAssertTrue(started, worker.output)

            // Real work: an entry written to the outbox reaches audit_logs (woken by NOTIFY).
            try await database.transaction { connection in
                try await AuditOutbox.write(AuditEntry(actorType: "system", actorID: nil, action: "test.process", resourceType: "system", resourceID: nil),
                                            on: connection, logger: database.logger)
            }
            var moved = false
            for _ in 0..<100 where !moved {
                for try await n in try await database.query("SELECT count(*)::int FROM audit_logs WHERE action = 'test.process'").decode(Int.self) { moved = n == 1 }
                if !moved { try await Task.sleep(for: .milliseconds(100)) }
            }
            XCTAssertTrue(moved, worker.output)

            // SIGHUP re-reads the file: the hot key changes, the static one does not.
            try "[workers]\npoll_interval_seconds = 7\nhealth_port = 1\n".write(toFile: path, atomically: true, encoding: .utf8)
            worker.signal(SIGHUP)
            let reloaded = try await worker.waitForOutput("workers.poll_interval_seconds: '5' -> '7'")
            XCTAssertTrue(reloaded, worker.output)
            XCTAssertTrue(worker.output.contains("reload with 1 change(s)"), worker.output)

            worker.signal(SIGTERM)
            let status = try await worker.waitForExit()
            XCTAssertEqual(status, 0, "graceful exit on SIGTERM: \(worker.output)")
        }
    }

    /// Kubernetes sends SIGTERM on every rollout and SIGKILLs what is still running after the grace
    /// period: every long-running executable must exit 0 well within it, whatever its sweep interval.
    func testEveryExecutableExitsPromptlyOnSIGTERM() async throws {
        let schema = TestDatabase.uniqueSchema()
        try await TestDatabase.withMigratedDatabase(schema: schema) { _, _ in
            let base = ["BROKKR__DATABASE__URL": TestDatabase.url, "BROKKR__DATABASE__SCHEMA": schema, "BROKKR__LOG__LEVEL": "info",
                        "PATH": "/usr/bin:/bin", "BROKKR__WORKERS__HEALTH_PORT": "0", "BROKKR__BROKER__ALLOW_EPHEMERAL_WEBHOOK_KEY": "true",
                        "BROKKR__BROKER__DIAGNOSTIC_CLEANUP_INTERVAL_SECONDS": "3600", "TMPDIR": NSTemporaryDirectory()]
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
        let worker = try ChildProcess(product: "brokkr-cleanup", environment: ["BROKKR__BROKER__DIAGNOSTIC_MAX_AGE_HOURS": "soon", "PATH": "/usr/bin:/bin"])
        let status = try await worker.waitForExit()
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(worker.output.contains("broker.diagnostic_max_age_hours"), worker.output)
    }
}
