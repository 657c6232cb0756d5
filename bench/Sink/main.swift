// brokkr-bench-sink PORT: the receiver of bench/webhook-delivery.sh. Answers every request
// `200 OK` with an empty body over HTTP/1.1 keep-alive, on one event loop per core, and counts the
// POSTs it received: `GET /count` answers that count, so the benchmark can check that every delivery
// arrived. Its capacity is measured with wrk in the same run, so it is known not to be the bottleneck.
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

let received = NIOLockedValueBox(0)

final class SinkHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var head: HTTPRequestHead?
    /// POSTs counted on this connection and not yet added to the shared count (added per read burst).
    private var pending = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
        case .body:
            break
        case .end:
            guard let request = head else { return }
            var body = ByteBuffer()
            if request.method == .POST {
                pending += 1
            } else if request.uri == "/count" {
                flushCount()
                body.writeString(String(received.withLockedValue { $0 }))
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: String(body.readableBytes))
            if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: .ok, headers: headers))), promise: nil)
            if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
            let keepAlive = request.isKeepAlive
            context.write(wrapOutboundOut(.end(nil))).whenComplete { _ in if !keepAlive { context.close(promise: nil) } }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushCount()
        context.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        flushCount()
        context.fireChannelInactive()
    }

    private func flushCount() {
        guard pending > 0 else { return }
        let count = pending
        pending = 0
        received.withLockedValue { $0 += count }
    }
}

guard CommandLine.arguments.count == 2, let port = Int(CommandLine.arguments[1]) else {
    FileHandle.standardError.write(Data("usage: brokkr-bench-sink PORT\n".utf8))
    exit(2)
}
let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let channel = try ServerBootstrap(group: group)
    .serverChannelOption(ChannelOptions.backlog, value: 1024)
    .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
            channel.pipeline.addHandler(SinkHandler())
        }
    }
    .bind(host: "127.0.0.1", port: port)
    .wait()
print("brokkr-bench-sink listening on 127.0.0.1:\(port)")
try channel.closeFuture.wait()
