import BrokkrQueue
import Foundation
import XCTest

/// Every executable, idle and fully started, ends with status 0 within 5 s of SIGTERM (Kubernetes
/// sends SIGTERM on every rollout and SIGKILLs what is still running after the grace period).
final class ShutdownProcessTests: XCTestCase {
    func testEveryExecutableExitsZeroWithin5sOfSIGTERM() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent("shutdown-agent", cluster: "process-cluster", active: true)
            let emulator = try ChildProcess(product: "brokkr-kube-emulator", arguments: ["--port", "0"], environment: ["PATH": "/usr/bin:/bin"])
            defer { if emulator.process.isRunning { emulator.signal(SIGKILL) } }
            let emulatorUp = try await emulator.waitForOutput("listening on")
            XCTAssertTrue(emulatorUp, emulator.output)
            let server = try XCTUnwrap(emulator.output.components(separatedBy: "listening on ").last?.prefix { $0 != "\n" })
            let kubeconfig = try AgentProcessTests.kubeconfig(server: String(server))
            defer { try? FileManager.default.removeItem(atPath: kubeconfig) }

            let environment = [
                "BROKKR__DATABASE__URL": TestDatabase.url, "BROKKR__DATABASE__SCHEMA": b.settings.database.schema ?? "",
                "BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY": TestDatabase.webhookKey, "BROKKR__WORKERS__HEALTH_PORT": "0",
                "BROKKR__LOG__LEVEL": "info", "PATH": "/usr/bin:/bin", "TMPDIR": NSTemporaryDirectory(),
            ]
            // Each process with the line it logs once it is fully started.
            let started: [(ChildProcess, String)] = [
                (
                    try ChildProcess(product: "brokkr-api", arguments: ["serve", "--host", "127.0.0.1", "--port", "0"], environment: environment),
                    "listening on"
                ),
                (try ChildProcess(product: "brokkr-webhooks", environment: environment), "webhook-delivery started"),
                (try ChildProcess(product: "brokkr-workorders", environment: environment), "work-order-maintenance started"),
                (try ChildProcess(product: "brokkr-audit", environment: environment), "audit-retention started"),
                (try ChildProcess(product: "brokkr-cleanup", environment: environment), "cleanup started"),
                (
                    try AgentProcessTests.agentProcess(b, pak: agent.pak, name: "shutdown-agent", kubeconfig: kubeconfig),
                    "Registered with broker"
                ),
                (emulator, "listening on"),
            ]
            defer { for (p, _) in started where p.process.isRunning { p.signal(SIGKILL) } }
            for (process, line) in started {
                let up = try await process.waitForOutput(line, timeout: .seconds(30))
                XCTAssertTrue(up, "\(process.process.executableURL!.lastPathComponent): \(process.output)")
            }
            for (process, _) in started { process.signal(SIGTERM) }
            for (process, _) in started {
                let status = try await process.waitForExit(timeout: .seconds(5))
                XCTAssertEqual(status, 0, "\(process.process.executableURL!.lastPathComponent) exits 0 within 5 s of SIGTERM: \(process.output)")
            }
        }
    }

    /// `--once` (cron jobs): migrates, runs each sweep until idle, and exits 0.
    func testOnceRunsTheSweepsUntilIdleAndExitsZero() async throws {
        let schema = TestDatabase.uniqueSchema()
        try await TestDatabase.withMigratedDatabase(schema: schema) { database, _ in
            try await database.withTransaction { tx in
                for n in 0..<3 {
                    try await AuditOutbox.write(
                        AuditEntry(actorType: "system", actorID: nil, action: "test.once.\(n)", resourceType: "system", resourceID: nil), on: tx)
                }
            }
            let worker = try ChildProcess(
                product: "brokkr-audit", arguments: ["--once"],
                environment: [
                    "BROKKR__DATABASE__URL": TestDatabase.url, "BROKKR__DATABASE__SCHEMA": schema, "BROKKR__LOG__LEVEL": "info",
                    "PATH": "/usr/bin:/bin",
                ])
            let status = try await worker.waitForExit(timeout: .seconds(20))
            XCTAssertEqual(status, 0, worker.output)
            let moved = try await database.query("SELECT count(*)::int FROM audit_logs WHERE action LIKE 'test.once.%'").decode(Int.self)
            for try await count in moved { XCTAssertEqual(count, 3, "every outbox entry moved before the exit") }
        }
    }
}
