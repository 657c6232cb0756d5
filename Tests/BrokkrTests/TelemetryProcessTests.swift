import AsyncHTTPClient
import BrokkrCommon
import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// OpenTelemetry export from built processes (a tracer is process-wide, so not in-process): a
/// `brokkr-api` and a `brokkr-webhooks` export OTLP/HTTP JSON to a local receiver. One traced request
/// must show up as one trace: the caller's span → the API's server span → (through the stored
/// `traceparent` of the outbox row) the worker's delivery span → the delivered request's
/// `traceparent` header.
final class TelemetryProcessTests: XCTestCase {
    struct ExportedSpan: Equatable {
        let service: String
        let name: String
        let traceID: String
        let spanID: String
        let parentSpanID: String
        let linkedSpanIDs: [String]
    }

    func testOneTraceRunsFromTheRequestThroughTheOutboxRowToTheDelivery() async throws {
        try await TestBroker.run { b in
            try await WebhookSink.run { sink in
                let subscription = try await WebhookAPITests.subscribe(
                    b, #"{"name":"traced","url":"\#(sink.url("ok"))","event_types":["none"],"timeout_seconds":5}"#)["id"]!.stringValue!
                let environment = [
                    "BROKKR__DATABASE__URL": TestDatabase.url, "BROKKR__DATABASE__SCHEMA": b.settings.database.schema ?? "",
                    "BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY": TestDatabase.webhookKey, "BROKKR__LOG__LEVEL": "info",
                    "BROKKR__WORKERS__HEALTH_PORT": "0", "BROKKR__WORKERS__POLL_INTERVAL_SECONDS": "1",
                    "BROKKR__TELEMETRY__ENABLED": "true", "BROKKR__TELEMETRY__OTLP_PROTOCOL": "http/json",
                    "BROKKR__TELEMETRY__OTLP_ENDPOINT": sink.url("otlp"), "BROKKR__TELEMETRY__SAMPLING_RATE": "1",
                    "BROKKR__TELEMETRY__BROKER__SERVICE_NAME": "brokkr-broker",
                    "OTEL_BSP_SCHEDULE_DELAY": "200",  // export within a fraction of a second, not 5 s
                    "PATH": "/usr/bin:/bin", "TMPDIR": NSTemporaryDirectory(),
                ]
                let api = try ChildProcess(
                    product: "brokkr-api", arguments: ["serve", "--host", "127.0.0.1", "--port", "0"], environment: environment)
                let worker = try ChildProcess(product: "brokkr-webhooks", environment: environment)
                defer { for p in [api, worker] where p.process.isRunning { p.signal(SIGKILL) } }
                let apiListening = try await api.waitForOutput("listening on")
                XCTAssertTrue(apiListening, api.output)
                let workerStarted = try await worker.waitForOutput("webhook-delivery started")
                XCTAssertTrue(workerStarted, worker.output)
                let port = try XCTUnwrap(api.listeningPort, api.output)

                // The caller's own trace, which the API continues.
                let traceID = Self.randomHex(bytes: 16)
                let callerSpanID = Self.randomHex(bytes: 8)
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/webhooks/\(subscription)/test")
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer \(b.adminPAK)")
                request.headers.add(name: "traceparent", value: "00-\(traceID)-\(callerSpanID)-01")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                XCTAssertEqual(response.status.code, 200)

                let delivered = try await Self.eventually("the delivery") { await sink.log.received.first { $0.path == "ok" } }
                let spans = try await Self.eventually("the request and delivery spans exported") { () async -> [ExportedSpan]? in
                    let all = await Self.exportedSpans(sink)
                    // Each process exports on its own schedule, and the batch span ends after its deliveries:
                    // wait for the request's span, the delivery span and a batch span.
                    let inTrace = all.filter { $0.traceID == traceID }
                    let complete =
                        inTrace.contains { $0.name == "webhook delivery" }
                        && inTrace.contains { $0.service == "brokkr-broker" && $0.name.hasSuffix("/test") }
                        && all.contains { $0.name == "webhook-delivery batch" }
                    return complete ? all : nil
                }
                let inTrace = spans.filter { $0.traceID == traceID }
                let server = try XCTUnwrap(
                    inTrace.first { $0.service == "brokkr-broker" && $0.name.contains("webhooks/") && $0.name.hasSuffix("/test") },
                    "the API's server span, named by its route: \(spans)")
                XCTAssertEqual(server.parentSpanID, callerSpanID, "the API continues the caller's trace")
                XCTAssertTrue(server.name.contains("{id}") || server.name.contains(":id"), "a route template, not the raw path: \(server.name)")
                let delivery = try XCTUnwrap(
                    inTrace.first { $0.name == "webhook delivery" }, "the delivery span continues the request's trace: \(spans)")
                XCTAssertEqual(delivery.parentSpanID, server.spanID, "parented on the request through the outbox row's traceparent")
                let batch = try XCTUnwrap(spans.first { $0.name == "webhook-delivery batch" }, "\(spans)")
                XCTAssertEqual(delivery.linkedSpanIDs, [batch.spanID], "linked to the batch that claimed it")
                XCTAssertEqual(
                    delivered.headers["traceparent"].map { Array($0.split(separator: "-")).map(String.init) }?.dropFirst().first, traceID,
                    "the receiver gets the trace too: \(delivered.headers)")
                XCTAssertEqual(delivered.headers["traceparent"]?.split(separator: "-").dropFirst(2).first.map(String.init), delivery.spanID)

                for process in [api, worker] {
                    process.signal(SIGTERM)
                    let status = try await process.waitForExit(timeout: .seconds(10))
                    XCTAssertEqual(status, 0, process.output)
                }
            }
        }
    }

    /// Every span the receiver got, from OTLP/JSON bodies (ids hex, or base64 from encoders that
    /// write protobuf's JSON mapping).
    static func exportedSpans(_ sink: WebhookSink) async -> [ExportedSpan] {
        var spans: [ExportedSpan] = []
        for request in await sink.log.received where request.path == "otlp" {
            guard let body = try? JSONValue.parse(request.body) else { continue }
            for resource in body["resourceSpans"]?.arrayValue ?? [] {
                let service =
                    (resource["resource"]?["attributes"]?.arrayValue ?? [])
                    .first { $0["key"]?.stringValue == "service.name" }?["value"]?["stringValue"]?.stringValue ?? ""
                for scope in resource["scopeSpans"]?.arrayValue ?? [] {
                    for span in scope["spans"]?.arrayValue ?? [] {
                        spans.append(
                            ExportedSpan(
                                service: service, name: span["name"]?.stringValue ?? "",
                                traceID: hexID(span["traceId"]), spanID: hexID(span["spanId"]), parentSpanID: hexID(span["parentSpanId"]),
                                linkedSpanIDs: (span["links"]?.arrayValue ?? []).map { hexID($0["spanId"]) }))
                    }
                }
            }
        }
        return spans
    }

    static func hexID(_ value: JSONValue?) -> String {
        guard let text = value?.stringValue, !text.isEmpty else { return "" }
        if text.count % 2 == 0, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        guard let bytes = Data(base64Encoded: text) else { return text }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func randomHex(bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 1...255)) }.joined()
    }

    struct NeverHappened: Error, CustomStringConvertible {
        let what: String
        var description: String { "not within 20 s: \(what)" }
    }

    /// Polls `probe` until it yields a value, failing after 20 s.
    static func eventually<T>(_ what: String, _ probe: () async -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let value = await probe() { return value }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw NeverHappened(what: what)
    }
}
