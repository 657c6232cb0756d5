import Foundation
import Hummingbird
import Logging
import NIOCore
import XCTest

@testable import BrokkrAgent

/// The poller against a broker that sends no ETag (one that predates conditional polls): every poll
/// is unconditional and immediate, as it always was.
final class DeploymentPollerCompatibilityTests: XCTestCase {
    final class RequestLog: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [(uri: String, ifNoneMatch: String?)] = []
        func append(_ uri: String, _ ifNoneMatch: String?) { lock.withLock { entries.append((uri, ifNoneMatch)) } }
        var all: [(uri: String, ifNoneMatch: String?)] { lock.withLock { entries } }
    }

    func testWithoutAnETagEveryPollIsUnconditional() async throws {
        let log = RequestLog()
        let router = Router()
        router.get("api/v1/agents/:id/target-state") { request, _ -> Response in
            log.append(request.uri.description, request.headers[.ifNoneMatch])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "[]")))
        }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { portContinuation.finish() }
                try await app.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return XCTFail("the stand-in broker did not start") }
            let logger = Logger(label: "agent-test")
            let poller = DeploymentPoller(
                broker: BrokerClient(baseURL: "http://127.0.0.1:\(port)", pak: "pak"),
                reconciler: Reconciler(kube: KubeClient(server: "http://127.0.0.1:9"), agentID: "a", logger: logger),
                agentID: "a", eventRetries: 0, eventRetryDelay: .zero, logger: logger, longPollSeconds: 10)
            for _ in 0..<2 {
                let poll = try await poller.poll()
                XCTAssertEqual(poll, .processed([]))
            }
            XCTAssertNil(poller.etag.value)
            XCTAssertEqual(log.all.map(\.uri), ["/api/v1/agents/a/target-state", "/api/v1/agents/a/target-state"], "no wait without a tag")
            XCTAssertEqual(log.all.map(\.ifNoneMatch), [nil, nil])
            group.cancelAll()
        }
    }
}
