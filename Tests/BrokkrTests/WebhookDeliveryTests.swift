import BrokkrCommon
import BrokkrQueue
import BrokkrWorkers
import Foundation
import Logging
import PostgresNIO
import XCTest

/// The broker's deliverer (brokkr-webhooks) against a local HTTP sink: headers and signature,
/// success, back-off then dead, timeouts, and several claimers at once delivering everything once.
final class WebhookDeliveryTests: XCTestCase {
    static func deliverer(_ b: TestBroker) throws -> WebhookDeliverySweep {
        try WebhookDeliverySweep(settings: b.settings, logger: TestDatabase.logger)
    }

    /// Runs the deliverer until it finds nothing due.
    static func drain(_ sweep: WebhookDeliverySweep, _ b: TestBroker) async throws {
        while try await sweep.sweep(b.database, settings: b.settings) > 0 {}
    }

    static func statuses(_ b: TestBroker) async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for try await (s, n) in try await b.database.query("SELECT status, count(*)::int FROM webhook_deliveries GROUP BY status").decode(
            (String, Int).self)
        {
            out[s] = n
        }
        return out
    }

    func testDeliveryIsSignedCarriesTheBrokkrHeadersAndSucceeds() async throws {
        try await TestBroker.run { b in
            try await WebhookSink.run { sink in
                let sub = try await WebhookAPITests.subscribe(
                    b, #"{"name":"s","url":"\#(sink.url("ok"))","auth_header":"Bearer t","event_types":["stack.*"]}"#)
                let gen = try await b.createGenerator()
                let stack = try await b.createStack(generatorID: gen.id)
                let sweep = try Self.deliverer(b)
                try await Self.drain(sweep, b)
                await sweep.shutdown()
                let received = await sink.log.received
                XCTAssertEqual(received.count, 1)
                let r = try XCTUnwrap(received.first)
                let rows = try await WebhookAPITests.deliveries(b, sub["id"]!.stringValue!)
                let delivery = try XCTUnwrap(rows.first)
                XCTAssertEqual(r.headers["content-type"], "application/json")
                XCTAssertEqual(r.headers["authorization"], "Bearer t")
                XCTAssertEqual(r.headers["x-brokkr-event-type"], "stack.created")
                XCTAssertEqual(r.headers["x-brokkr-delivery-id"], delivery["id"]?.stringValue)
                XCTAssertEqual(r.headers["x-brokkr-event-id"], delivery["event_id"]?.stringValue)
                XCTAssertNotNil(Int(r.headers["x-brokkr-timestamp"] ?? ""))
                let secret = sub["signing_secret"]!.stringValue!
                XCTAssertEqual(r.headers["x-brokkr-signature"], WebhookSignature.header(body: Array(r.body.utf8), secret: secret))
                // The replay-safe signature covers the timestamp sent alongside it.
                let timestamped = try XCTUnwrap(r.headers["x-brokkr-signature-256"])
                XCTAssertTrue(timestamped.hasPrefix("t=\(r.headers["x-brokkr-timestamp"] ?? "")"), timestamped)
                XCTAssertTrue(WebhookSignature.verify(timestamped, body: Array(r.body.utf8), secret: secret))
                XCTAssertFalse(
                    WebhookSignature.verify(timestamped, body: Array(r.body.utf8), secret: secret, now: Date().addingTimeInterval(600)),
                    "a delivery replayed ten minutes later is refused")
                XCTAssertEqual(r.body, delivery["payload"]?.stringValue, "the stored payload, verbatim")
                XCTAssertEqual(try JSONValue.parse(r.body)["data"]?["stack_id"], .string(stack))
                XCTAssertEqual(delivery["status"], .string("success"))
                XCTAssertEqual(delivery["attempts"], .int(1))
                XCTAssertNotEqual(delivery["completed_at"], .null)
                XCTAssertEqual(delivery["acquired_by"], .null)
            }
        }
    }

    /// A batch decrypts each subscription's destination once: with two subscriptions in one batch, every
    /// delivery still goes to its own subscription's URL with its auth header and signing secret.
    func testABatchOfSeveralSubscriptionsSendsEachToItsOwnDestination() async throws {
        try await TestBroker.run { b in
            try await WebhookSink.run { sink in
                let first = try await WebhookAPITests.subscribe(
                    b, #"{"name":"a","url":"\#(sink.url("ok-a"))","auth_header":"Bearer a","event_types":["stack.*"]}"#)
                let second = try await WebhookAPITests.subscribe(
                    b, #"{"name":"b","url":"\#(sink.url("ok-b"))","auth_header":"Bearer b","event_types":["stack.*"]}"#)
                let gen = try await b.createGenerator()
                for _ in 0..<3 { _ = try await b.createStack(generatorID: gen.id) }
                let sweep = try Self.deliverer(b)
                let swept = try await sweep.sweep(b.database, settings: b.settings)
                XCTAssertEqual(swept, 6, "one batch holds both subscriptions' deliveries")
                await sweep.shutdown()
                let received = await sink.log.received
                XCTAssertEqual(received.count, 6)
                for (path, auth, subscription) in [("ok-a", "Bearer a", first), ("ok-b", "Bearer b", second)] {
                    let own = received.filter { $0.path == path }
                    XCTAssertEqual(own.count, 3, path)
                    let secret = try XCTUnwrap(subscription["signing_secret"]?.stringValue)
                    for r in own {
                        XCTAssertEqual(r.headers["authorization"], auth)
                        XCTAssertEqual(r.headers["x-brokkr-signature"], WebhookSignature.header(body: Array(r.body.utf8), secret: secret))
                        XCTAssertTrue(WebhookSignature.verify(r.headers["x-brokkr-signature-256"] ?? "", body: Array(r.body.utf8), secret: secret))
                    }
                }
                let statuses = try await Self.statuses(b)
                XCTAssertEqual(statuses, ["success": 6])
            }
        }
    }

    func testFailuresBackOffExponentiallyThenDie() async throws {
        try await TestBroker.run { b in
            try await WebhookSink.run { sink in
                let sub = try await WebhookAPITests.subscribe(b, #"{"name":"f","url":"\#(sink.url("fail"))","event_types":["none"],"max_retries":2}"#)
                let id = sub["id"]!.stringValue!
                _ = try await b.post("webhooks/\(id)/test", b.adminPAK)
                let sweep = try Self.deliverer(b)
                try await Self.drain(sweep, b)
                var row = try await WebhookAPITests.deliveries(b, id)[0]
                XCTAssertEqual(row["status"], .string("failed"))
                XCTAssertEqual(row["attempts"], .int(1))
                XCTAssertEqual(row["last_error"], .string("HTTP 500 Internal Server Error: boom"))
                let wait = (RFC3339.date(from: row["next_retry_at"]?.stringValue ?? "")?.timeIntervalSinceNow) ?? 0
                XCTAssertEqual(wait, 2, accuracy: 0.6, "first back-off is about 2 s")
                try await Self.drain(sweep, b)
                do {
                    let v = await sink.log.count
                    XCTAssertEqual(v, 1, "not due yet")
                }
                try await b.database.query("UPDATE webhook_deliveries SET next_retry_at = now()")
                try await Self.drain(sweep, b)
                row = try await WebhookAPITests.deliveries(b, id)[0]
                XCTAssertEqual(row["status"], .string("dead"))
                XCTAssertEqual(row["attempts"], .int(2))
                XCTAssertNotEqual(row["completed_at"], .null)
                try await b.database.query("UPDATE webhook_deliveries SET next_retry_at = now()")
                try await Self.drain(sweep, b)
                await sweep.shutdown()
                do {
                    let v = await sink.log.count
                    XCTAssertEqual(v, 2, "dead deliveries are never sent again")
                }
            }
        }
    }

    func testTheSubscriptionTimeoutBoundsEachRequest() async throws {
        try await TestBroker.run { b in
            try await WebhookSink.run { sink in
                let id = try await WebhookAPITests.subscribe(
                    b, #"{"name":"t","url":"\#(sink.url("slow"))","event_types":["none"],"timeout_seconds":1}"#)["id"]!.stringValue!
                _ = try await b.post("webhooks/\(id)/test", b.adminPAK)
                let sweep = try Self.deliverer(b)
                let start = ContinuousClock.now
                try await Self.drain(sweep, b)
                await sweep.shutdown()
                XCTAssertLessThan(ContinuousClock.now - start, .seconds(6), "cut off at the 1 s timeout, not after the sink's 8 s")
                let row = try await WebhookAPITests.deliveries(b, id)[0]
                XCTAssertEqual(row["status"], .string("failed"))
                XCTAssertTrue(row["last_error"]?.stringValue?.hasPrefix("Request failed: ") ?? false, row.serialized())
            }
        }
    }

    func testAgentTargetedDeliveriesAreLeftToAgents() async throws {
        try await TestBroker.run { b in
            try await WebhookSink.run { sink in
                let id = try await WebhookAPITests.subscribe(
                    b, #"{"name":"a","url":"\#(sink.url("ok"))","event_types":["none"],"target_labels":["env:prod"]}"#)["id"]!.stringValue!
                _ = try await b.post("webhooks/\(id)/test", b.adminPAK)
                let sweep = try Self.deliverer(b)
                try await Self.drain(sweep, b)
                await sweep.shutdown()
                do {
                    let v = await sink.log.count
                    XCTAssertEqual(v, 0)
                }
                do {
                    let v = try await Self.statuses(b)
                    XCTAssertEqual(v, ["pending": 1])
                }
            }
        }
    }

    func testSeveralConcurrentDeliverersSendEveryDeliveryExactlyOnce() async throws {
        try await TestBroker.run { b in
            try await WebhookSink.run { sink in
                let id = try await WebhookAPITests.subscribe(b, #"{"name":"n","url":"\#(sink.url("ok"))","event_types":["none"]}"#)["id"]!
                    .stringValue!
                try await WebhookLoad.enqueue(b.database, subscription: UUID(uuidString: id)!, count: 600)
                let sweeps = try (0..<4).map { _ in try Self.deliverer(b) }
                XCTAssertEqual(Set(sweeps.map(\.owner)).count, 4)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for sweep in sweeps { group.addTask { try await Self.drain(sweep, b) } }
                    try await group.waitForAll()
                }
                for sweep in sweeps { await sweep.shutdown() }
                let ids = await sink.log.received.map(\.deliveryID)
                XCTAssertEqual(ids.count, 600)
                XCTAssertEqual(Set(ids).count, 600, "a delivery was sent twice")
                do {
                    let v = try await Self.statuses(b)
                    XCTAssertEqual(v, ["success": 600])
                }
            }
        }
    }
}

/// Enqueues no-op deliveries directly (what EventOutbox writes), for load tests.
enum WebhookLoad {
    static func enqueue(_ database: Database, subscription: UUID, count: Int) async throws {
        try await database.query(
            """
            INSERT INTO webhook_deliveries (subscription_id, event_type, event_id, payload, max_attempts)
            SELECT \(subscription), 'load.test', e.id, json_build_object('id', e.id, 'event_type', 'load.test', 'timestamp', now(), 'data', '{}'::json)::text, 5
            FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, \(count))) AS e
            """)
    }
}
