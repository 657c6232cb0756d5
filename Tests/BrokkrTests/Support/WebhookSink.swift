import Foundation
import Hummingbird
import NIOCore

/// A local HTTP receiver for webhook deliveries, on an ephemeral loopback port. The path chooses
/// the answer: `/ok` 200, `/fail` 500 "boom", `/slow` 200 after 8 s, `/delay` 200 after 100 ms.
/// Every request is recorded with its headers and body.
struct WebhookSink: Sendable {
    struct Received: Sendable {
        let path: String
        let headers: [String: String]
        let body: String
        var deliveryID: String { headers["x-brokkr-delivery-id"] ?? "" }
    }

    actor Log {
        private(set) var received: [Received] = []
        func add(_ r: Received) { received.append(r) }
        var count: Int { received.count }
    }

    let baseURL: String
    let log: Log

    func url(_ mode: String) -> String { "\(baseURL)/\(mode)" }

    static func run(_ body: @Sendable (WebhookSink) async throws -> Void) async throws {
        let log = Log()
        let router = Router()
        router.post(":mode") { request, context -> Response in
            let mode = context.parameters.get("mode") ?? ""
            let bytes = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            await log.add(Received(path: mode, headers: headers, body: String(buffer: bytes)))
            switch mode {
            case "fail": return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "boom")))
            case "slow": try await Task.sleep(for: .seconds(8))
            case "delay": try await Task.sleep(for: .milliseconds(100))
            default: break
            }
            return Response(status: .ok)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            defer { group.cancelAll() }
            try await body(WebhookSink(baseURL: "http://127.0.0.1:\(port)", log: log))
        }
    }
}
