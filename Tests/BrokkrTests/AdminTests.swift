import BrokkrQueue
import BrokkrWorkers
import Foundation
import PostgresNIO
import XCTest

@testable import BrokkrCommon

/// Audit log query, failed-authentication auditing, configuration reload (spec/03 §11, §5.10;
/// spec/02 §14 scenarios 18 and 20).
final class AdminTests: XCTestCase {
    func testAuditLogQueryFiltersAndPagination() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent("a1", cluster: "c1", active: false)
            let gen = try await b.createGenerator("g1")
            let stack = try await b.createStack("s1", generatorID: gen.id, pak: gen.pak)
            _ = try await b.post("agents/\(agent.id)/rotate-pak", agent.pak)
            _ = try await b.get("agents", "brokkr_BRnope000_notakeynotakeynotakey")
            // Outbox rows become visible only after the batcher moved them.
            do {
                let v = try await b.get("admin/audit-logs", b.adminPAK)["total"]
                XCTAssertEqual(v, .int(0))
            }
            try await b.flushAudit()

            let created = try await b.get("admin/audit-logs?action=agent.created", b.adminPAK)
            XCTAssertEqual(created["total"], .int(1))
            let entry = created["logs"]?.arrayValue?.first
            XCTAssertEqual(entry?["actor_type"], .string("admin"))
            XCTAssertEqual(entry?["resource_type"], .string("agent"))
            XCTAssertEqual(entry?["resource_id"], .string(agent.id))
            XCTAssertEqual(entry?["details"], .object(["name": .string("a1"), "cluster_name": .string("c1")]))

            // The real actor is recorded: the generator created its stack, the agent rotated its key.
            let stackCreated = try await b.get("admin/audit-logs?action=stack.created", b.adminPAK)["logs"]?.arrayValue?.first
            XCTAssertEqual(stackCreated?["actor_type"], .string("generator"))
            XCTAssertEqual(stackCreated?["actor_id"], .string(gen.id))
            XCTAssertEqual(stackCreated?["resource_id"], .string(stack))
            let rotated = try await b.get("admin/audit-logs?actor_type=agent&actor_id=\(agent.id)", b.adminPAK)
            XCTAssertEqual(rotated["logs"]?.arrayValue?.map { $0["action"] }, [.string("pak.rotated")])

            let failed = try await b.get("admin/audit-logs?action=auth.failed", b.adminPAK)["logs"]?.arrayValue?.first
            XCTAssertEqual(failed?["details"]?["reason"], .string("invalid_pak"))
            XCTAssertEqual(failed?["details"]?["pak_prefix"], .string("brokkr"))
            XCTAssertFalse(failed.map { $0.serialized().contains("notakey") } ?? true, "the key itself is never audited")

            // Prefix match, resource filter, time window, pagination and the 1000 cap.
            let all = try await b.get("admin/audit-logs?action=agent.*", b.adminPAK)
            XCTAssertEqual(all["total"], .int(1))
            do {
                let v = try await b.get("admin/audit-logs?resource_type=stack&resource_id=\(stack)", b.adminPAK)["total"]
                XCTAssertEqual(v, .int(1))
            }
            let total = try await b.get("admin/audit-logs", b.adminPAK)["total"]?.numberValue ?? 0
            let page = try await b.get("admin/audit-logs?limit=2&offset=1", b.adminPAK)
            XCTAssertEqual(page["count"], .int(2))
            XCTAssertEqual(page["limit"], .int(2))
            XCTAssertEqual(page["offset"], .int(1))
            XCTAssertEqual(page["total"]?.numberValue, total)
            do {
                let v = try await b.get("admin/audit-logs?limit=5000", b.adminPAK)["limit"]
                XCTAssertEqual(v, .int(1000))
            }
            let future = RFC3339.string(from: Date().addingTimeInterval(3600))
            do {
                let v = try await b.get("admin/audit-logs?from=\(future)", b.adminPAK)["total"]
                XCTAssertEqual(v, .int(0))
            }
            do {
                let v = try await b.get("admin/audit-logs?to=\(future)", b.adminPAK)["total"]?.numberValue
                XCTAssertEqual(v, total)
            }
            do {
                let v = try await b.get("admin/audit-logs?from=yesterday", b.adminPAK).status
                XCTAssertEqual(v, 400)
            }
            do {
                let v = try await b.get("admin/audit-logs?actor_id=x", b.adminPAK).status
                XCTAssertEqual(v, 400)
            }
            do {
                let v = try await b.get("admin/audit-logs", gen.pak).error
                XCTAssertEqual(v, "Admin access required")
            }
        }
    }

    func testSeveralAuditBatchersMoveEveryEntryOnce() async throws {
        try await TestBroker.run { b in
            try await b.database.query(
                """
                INSERT INTO audit_outbox (actor_type, action, resource_type) SELECT 'system', 'test.entry', 'system' FROM generate_series(1, 2000)
                """)
            let sweep = AuditBatchSweep()
            let moved = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var n = 0
                        while true {
                            let k = try await sweep.sweep(b.database, settings: b.settings)
                            if k == 0 { return n }
                            n += k
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            XCTAssertEqual(moved, 2000)
            for try await (logs, distinct, outbox) in try await b.database.query(
                """
                SELECT (SELECT count(*) FROM audit_logs WHERE action = 'test.entry')::int,
                       (SELECT count(DISTINCT id) FROM audit_logs WHERE action = 'test.entry')::int,
                       (SELECT count(*) FROM audit_outbox)::int
                """
            ).decode((Int, Int, Int).self) {
                XCTAssertEqual(logs, 2000)
                XCTAssertEqual(distinct, 2000)
                XCTAssertEqual(outbox, 0)
            }
        }
    }

    func testConfigReloadReportsHotKeyChanges() async throws {
        let path = NSTemporaryDirectory() + "brokkr-reload-\(UUID().uuidString).toml"
        try "[log]\nlevel = \"warn\"\n[broker]\nwebhook_delivery_batch_size = 50\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await TestBroker.run(extraConfig: ["BROKKR_CONFIG_FILE": path]) { b in
            let none = try await b.post("admin/config/reload", b.adminPAK)
            XCTAssertEqual(none.status, 200, none.body)
            XCTAssertEqual(none["success"], .bool(true))
            XCTAssertEqual(none["message"], .string("No changes detected"))
            XCTAssertEqual(none["changes"], .array([]))
            try "[log]\nlevel = \"error\"\n[broker]\nwebhook_delivery_batch_size = 10\nport = 1\n[cors]\nallowed_origins = [\"http://a.com\"]\n"
                .write(toFile: path, atomically: true, encoding: .utf8)
            let changed = try await b.post("admin/config/reload", b.adminPAK)
            let changes = changed["changes"]?.arrayValue ?? []
            XCTAssertEqual(
                changes.map { $0["key"] }, [.string("log.level"), .string("broker.webhook_delivery_batch_size"), .string("cors.allowed_origins")])
            XCTAssertEqual(changes.first?["old_value"], .string("warn"))
            XCTAssertEqual(changes.first?["new_value"], .string("error"))
            XCTAssertEqual(changes.last?["new_value"], .string("[\"http://a.com\"]"))
            XCTAssertEqual(changed["message"], .string("3 setting(s) updated"))
            // A broken file keeps the running configuration and says why.
            try "[broker\n".write(toFile: path, atomically: true, encoding: .utf8)
            let broken = try await b.post("admin/config/reload", b.adminPAK)
            XCTAssertEqual(broken.status, 500)
            XCTAssertTrue(broken.error?.contains("invalid config file") ?? false, broken.body)
            let agent = try await b.createAgent()
            do {
                let v = try await b.post("admin/config/reload", agent.pak).status
                XCTAssertEqual(v, 403)
            }
            try await b.flushAudit()
            do {
                let v = try await b.get("admin/audit-logs?action=config.reloaded", b.adminPAK)["total"]
                XCTAssertEqual(v, .int(2))
            }
        }
    }

    /// The replica that served a reload has reloaded already: when its own notification comes back it
    /// must not reload again (a file changed in between would be taken in silently, and the next
    /// request would report no changes); a notification from any other replica reloads it.
    /// Notifications on one channel arrive in order, so "own, then other" must cost exactly one reload.
    func testAReplicaSkipsItsOwnReloadNotificationAndTakesOthers() async throws {
        final class ReloadCount: @unchecked Sendable {
            private let lock = NSLock()
            private var count = 0
            func increment() { lock.withLock { count += 1 } }
            var value: Int { lock.withLock { count } }
        }
        try await TestBroker.run { b in
            let reloads = ReloadCount()
            let replica = ReloadableSettings(b.settings) {
                reloads.increment()
                return [:]
            }
            let listener = Task { try await ConfigReloadListener(database: b.database, config: replica, logger: TestDatabase.logger).run() }
            defer { listener.cancel() }
            func notify(from sender: ReloadableSettings) async throws {
                try await b.database.withTransaction { tx in
                    try await ConfigReloadListener.notifyAll(from: sender, on: tx)
                }
            }
            func waitForReloads(_ expected: Int) async throws {
                let deadline = ContinuousClock.now + .seconds(20)
                while reloads.value < expected, ContinuousClock.now < deadline {
                    // Until the listener's LISTEN is in place a notification is simply lost: send again.
                    if expected == 1 { try await notify(from: ReloadableSettings(b.settings)) }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            try await waitForReloads(1)  // the listener is listening
            try await Task.sleep(for: .milliseconds(500))  // notifications sent while waiting have all arrived
            let listening = reloads.value
            XCTAssertGreaterThanOrEqual(listening, 1, "another replica's notification reloads it")
            try await notify(from: replica)
            try await notify(from: ReloadableSettings(b.settings))
            try await waitForReloads(listening + 1)
            try await Task.sleep(for: .milliseconds(500))  // room for a reload the own notification must not cause
            XCTAssertEqual(reloads.value, listening + 1, "its own notification is skipped, the other one is not")
        }
    }

    func testWorkerSweepsRunConcurrentlyWithoutDoubleWork() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)
            let object = try await b.createObject(stackID: stack, yaml: "a: 1")["id"]!.stringValue!
            // 300 overdue diagnostics, 300 stale work-order claims.
            try await b.database.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO diagnostic_requests (agent_id, deployment_object_id, expires_at)
                        SELECT '\(agent.id)', '\(object)', now() - interval '1 minute' FROM generate_series(1, 300)
                        """))
            try await b.database.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO work_orders (work_type, yaml_content, status, claimed_by, claimed_at, claim_timeout_seconds)
                        SELECT 'custom', 'a: 1', 'CLAIMED', '\(agent.id)', now() - interval '2 hours', 60 FROM generate_series(1, 300)
                        """))
            let sweeps: [any WorkerSweep] = [CleanupSweep(), WorkOrderMaintenanceSweep()]
            let handled = try await withThrowingTaskGroup(of: Int.self) { group in
                for sweep in sweeps {
                    for _ in 0..<3 {
                        group.addTask {
                            var n = 0
                            while true {
                                let k = try await sweep.sweep(b.database, settings: b.settings)
                                if k == 0 { return n }
                                n += k
                            }
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            XCTAssertEqual(handled, 600, "each row handled exactly once across three copies of each worker")
            for try await (expired, pending) in try await b.database.query(
                """
                SELECT (SELECT count(*) FROM diagnostic_requests WHERE status = 'expired')::int,
                       (SELECT count(*) FROM work_orders WHERE status = 'PENDING' AND claimed_by IS NULL)::int
                """
            ).decode((Int, Int).self) {
                XCTAssertEqual(expired, 300)
                XCTAssertEqual(pending, 300)
            }
        }
    }

    func testCleanupMarksAgentsWhoseHeartbeatsStopped() async throws {
        try await TestBroker.run { b in
            let silent = try await b.createAgent()
            let alive = try await b.createAgent()
            try await b.database.query(PostgresQuery(unsafeSQL: "UPDATE agents SET created_at = now() - interval '1 hour' WHERE id = '\(silent.id)'"))
            _ = try await b.post("agents/\(alive.id)/heartbeat", alive.pak)
            do {
                let v = try await CleanupSweep().sweep(b.database, settings: b.settings)
                XCTAssertEqual(v, 1)
            }
            // `heartbeat_lost_at` is the broker's own bookkeeping, not part of the contract's Agent.
            let lostAt = { @Sendable (id: String) async throws -> Date? in
                for try await value in try await b.database.query(PostgresQuery(unsafeSQL: "SELECT heartbeat_lost_at FROM agents WHERE id = '\(id)'"))
                    .decode(Date?.self)
                {
                    return value
                }
                return nil
            }
            do {
                let v = try await lostAt(silent.id)
                XCTAssertNotNil(v)
            }
            do {
                let v = try await lostAt(alive.id)
                XCTAssertNil(v)
            }
            do {
                let v = try await CleanupSweep().sweep(b.database, settings: b.settings)
                XCTAssertEqual(v, 0, "marked once")
            }
            do {
                let v = try await b.post("agents/\(silent.id)/heartbeat", silent.pak).status
                XCTAssertEqual(v, 204)
            }
            do {
                let v = try await lostAt(silent.id)
                XCTAssertNil(v, "a heartbeat clears the mark")
            }
        }
    }

    func testReloadableSettingsKeepsStaticKeys() throws {
        let path = NSTemporaryDirectory() + "brokkr-static-\(UUID().uuidString).toml"
        try "[broker]\nport = 3000\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let settings = try Settings.load(file: path, environment: [:])
        let config = ReloadableSettings(settings, environment: { [:] })
        try "[broker]\nport = 4000\ndiagnostic_cleanup_interval_seconds = 30\n".write(toFile: path, atomically: true, encoding: .utf8)
        let changes = try config.reload()
        XCTAssertEqual(changes, [ConfigChange(key: "broker.diagnostic_cleanup_interval_seconds", oldValue: "900", newValue: "30")])
        XCTAssertEqual(config.value.broker.port, 3000, "static keys need a restart")
        XCTAssertEqual(config.value.broker.diagnosticCleanupIntervalSeconds, 30)
        XCTAssertEqual(CleanupSweep().interval(config.value), 30, "workers read their interval from the reloaded settings")
    }
}
