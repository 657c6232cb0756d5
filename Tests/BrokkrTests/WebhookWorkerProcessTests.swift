import BrokkrCommon
import BrokkrQueue
import Foundation
import PostgresNIO
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// Several built `brokkr-webhooks` processes against one schema and a local sink; one is SIGKILLed
/// mid-batch. Every delivery must arrive; only the killed process's in-flight claims may arrive twice
/// (at-least-once), after their lease expired and a survivor recovered them.
final class WebhookWorkerProcessTests: XCTestCase {
    static func startWorkers(_ count: Int, _ b: TestBroker) throws -> [Process] {
        let exe = try ChildProcess.product("brokkr-webhooks")
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BROKKR") }
        env.merge([
            "BROKKR__DATABASE__URL": TestDatabase.url, "BROKKR__DATABASE__SCHEMA": b.settings.database.schema ?? "",
            "BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY": TestDatabase.webhookKey, "BROKKR__BROKER__WEBHOOK_DELIVERY_BATCH_SIZE": "10",
            "BROKKR__WORKERS__LEASE_SECONDS": "2", "BROKKR__WORKERS__POLL_INTERVAL_SECONDS": "1", "BROKKR__WORKERS__HEALTH_PORT": "0",
            "BROKKR__LOG__LEVEL": "error",
        ]) { _, new in new }
        return try (0..<count).map { _ in
            let p = Process()
            p.executableURL = exe
            p.environment = env
            try p.run()
            return p
        }
    }

    static func ids(_ b: TestBroker, _ sql: String) async throws -> Set<String> {
        var out = Set<String>()
        for try await id in try await b.database.query(PostgresQuery(unsafeSQL: sql)).decode(UUID.self) { out.insert(id.lowercasedString) }
        return out
    }

    func testSeveralWorkerProcessesAndOneKilledMidBatchLoseNothing() async throws {
        try await TestBroker.run { b in
            try await WebhookSink.run { sink in
                let sub = try await WebhookAPITests.subscribe(
                    b, #"{"name":"p","url":"\#(sink.url("delay"))","event_types":["none"],"timeout_seconds":1}"#)
                let total = 600
                try await WebhookLoad.enqueue(b.database, subscription: UUID(uuidString: sub["id"]!.stringValue!)!, count: total)
                let workers = try Self.startWorkers(3, b)
                defer { for w in workers where w.isRunning { kill(w.processIdentifier, SIGKILL) } }

                // Kill the first worker while it holds claims (requests in flight, none completed yet).
                let victim = workers[0]
                let claimedByVictim =
                    "SELECT id FROM webhook_deliveries WHERE status = 'acquired' AND claimed_by LIKE '%:\(victim.processIdentifier):%'"
                let deadline = ContinuousClock.now + .seconds(60)
                while try await Self.ids(b, claimedByVictim).isEmpty {
                    guard ContinuousClock.now < deadline else { return XCTFail("the victim never claimed anything") }
                    try await Task.sleep(for: .milliseconds(5))
                }
                kill(victim.processIdentifier, SIGKILL)
                victim.waitUntilExit()
                let inFlight = try await Self.ids(b, claimedByVictim)
                XCTAssertFalse(inFlight.isEmpty)

                // The survivors deliver the rest and, once the lease has expired, the victim's claims.
                while try await Self.ids(b, "SELECT id FROM webhook_deliveries WHERE status = 'success'").count < total {
                    guard ContinuousClock.now < deadline else { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                let received = await sink.log.received.map(\.deliveryID)
                let counts = Dictionary(received.map { ($0, 1) }, uniquingKeysWith: +)
                let all = try await Self.ids(b, "SELECT id FROM webhook_deliveries")
                XCTAssertEqual(Set(counts.keys), all, "every delivery reached the sink")
                let duplicated = Set(counts.filter { $0.value > 1 }.keys)
                XCTAssertTrue(
                    duplicated.isSubset(of: inFlight),
                    "only the killed worker's in-flight claims may arrive twice: \(duplicated.subtracting(inFlight))")
                XCTAssertTrue(counts.values.allSatisfy { $0 <= 2 })
                do {
                    let v = try await WebhookDeliveryTests.statuses(b)
                    XCTAssertEqual(v, ["success": total])
                }

                // SIGTERM: the survivors stop cleanly.
                for w in workers.dropFirst() { kill(w.processIdentifier, SIGTERM) }
                for w in workers.dropFirst() {
                    w.waitUntilExit()
                    XCTAssertEqual(w.terminationReason, .exit)
                    XCTAssertEqual(w.terminationStatus, 0)
                }
            }
        }
    }
}
