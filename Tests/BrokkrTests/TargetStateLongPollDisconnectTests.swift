import BrokkrCommon
import Foundation
import NIOCore
import NIOPosix
import XCTest

/// A long poll whose client goes away is let go at once, not held until its `wait` ends: the gauge
/// `brokkr_target_state_long_polls` shows what each process is holding.
final class TargetStateLongPollDisconnectTests: XCTestCase {
    /// A raw HTTP/1.1 connection to the test broker, so the test can close it, or only its sending side,
    /// while the request is waiting.
    struct RawConnection {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

        static func open(_ b: TestBroker) async throws -> RawConnection {
            let url = try XCTUnwrap(URL(string: b.baseURL))
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .connect(host: try XCTUnwrap(url.host), port: try XCTUnwrap(url.port)) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                    }
                }
            return RawConnection(channel: channel)
        }

        /// Sends a long poll for `agent`'s target state, current `tag`, for `wait` seconds; then, with
        /// `halfClose`, closes the sending side and returns what arrives until the server closes.
        /// Otherwise closes the whole connection once `whileWaiting` returns, and returns "".
        func longPoll(
            _ agent: TestBroker.Created, tag: String, wait: Int, halfClose: Bool, whileWaiting: () async throws -> Void
        ) async throws -> String {
            let request =
                "GET /api/v1/agents/\(agent.id)/target-state?wait=\(wait) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer \(agent.pak)\r\nIf-None-Match: \(tag)\r\n\r\n"
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: request))
                try await whileWaiting()
                guard halfClose else { return "" }
                outbound.finish()  // shutdown(SHUT_WR): the client sends nothing more but still reads
                var received = ""
                for try await part in inbound { received += String(buffer: part) }
                return received
            }
        }
    }

    static func longPollsGauge(_ b: TestBroker) async throws -> String? {
        try await b.get("/metrics", nil).body.split(separator: "\n").first { $0.hasPrefix("brokkr_target_state_long_polls ") }
            .map { String($0.dropFirst("brokkr_target_state_long_polls ".count)) }
    }

    func testAClosedConnectionEndsItsLongPollAtOnce() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            let tag = TargetStateETagTests.etag(try await TargetStateETagTests.get(b, agent))
            let gauge = try await Self.longPollsGauge(b)
            XCTAssertEqual(gauge, "0.0")

            _ = try await RawConnection.open(b).longPoll(agent, tag: tag, wait: 60, halfClose: false) {
                let waiting = try await eventually(.seconds(10)) { try await Self.longPollsGauge(b) == "1.0" }
                XCTAssertTrue(waiting, "the long poll is counted while it waits")
            }
            // The connection is closed: the wait ends now, not in 60 s.
            let released = try await eventually(.seconds(10)) { try await Self.longPollsGauge(b) == "0.0" }
            XCTAssertTrue(released, "a long poll whose client closed is let go within seconds")
        }
    }

    func testAClientThatClosesItsSendingSideGetsItsAnswerAtOnce() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            let tag = TargetStateETagTests.etag(try await TargetStateETagTests.get(b, agent))
            let started = ContinuousClock.now
            let answer = try await RawConnection.open(b).longPoll(agent, tag: tag, wait: 60, halfClose: true) {
                let waiting = try await eventually(.seconds(10)) { try await Self.longPollsGauge(b) == "1.0" }
                XCTAssertTrue(waiting)
            }
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(30), "answered on the half-close, not after the 60 s wait")
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 304 Not Modified\r\n"), answer)
            XCTAssertTrue(answer.lowercased().contains("etag: \(tag.lowercased())"), answer)
            let gauge = try await Self.longPollsGauge(b)
            XCTAssertEqual(gauge, "0.0")
        }
    }
}
