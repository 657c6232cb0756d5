import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Notices a client going away while its request is still being answered, for long polls: a client
/// that closes its connection (or its sending side) mid-wait frees its waiter at once, instead of
/// holding it and the socket (in CLOSE-WAIT) until the wait ends.
///
/// One per connection, in the pipeline between the HTTP codec and the request handler, passing every
/// part through. Hummingbird lets the remote half-close, so a client's FIN arrives only as the
/// `inputClosed` event and the channel stays open: `closeFuture` alone would not tell.
/// (Hummingbird's `consumeWithCancellationOnInboundClose` notices the same, but by reading the request
/// stream, which closes the connection after every long poll; this keeps it alive.)
final class ClientCloseWatcher: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny  // never unwrapped: reads pass through unchanged

    private enum State {
        case open(waiters: [Int: CheckedContinuation<Void, Never>], nextToken: Int)
        case closed
    }

    private let state = NIOLockedValueBox(State.open(waiters: [:], nextToken: 0))

    init() {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { markClosed() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        markClosed()
        context.fireChannelInactive()
    }

    /// Runs `operation`, cancelling it if the client closes the connection (or its side of it) first.
    /// Without a watcher in the channel's pipeline (a server built without it), just runs it; a channel
    /// already closed has lost its handlers, so `operation` starts cancelled.
    static func cancellingOnClientClose<Value: Sendable>(
        _ channel: any Channel, _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let watcher = try? await channel.pipeline.handler(type: ClientCloseWatcher.self).get()
        if watcher == nil, channel.isActive { return try await operation() }
        return try await withThrowingTaskGroup(of: Outcome<Value>.self) { group in
            group.addTask { .finished(try await operation()) }
            group.addTask {
                await watcher?.waitUntilClosed()
                return .clientClosed
            }
            while let next = try await group.next() {
                // Either way the other task ends: the operation cut short still answers (to a closed socket).
                group.cancelAll()
                if case .finished(let value) = next { return value }
            }
            throw CancellationError()  // unreachable: the operation's task always yields a value or throws
        }
    }

    private enum Outcome<Value: Sendable>: Sendable {
        case finished(Value)
        case clientClosed
    }

    /// Returns once the client has closed, or the calling task is cancelled.
    func waitUntilClosed() async {
        let token: Int? = state.withLockedValue { state in
            guard case .open(let waiters, let next) = state else { return nil }
            state = .open(waiters: waiters, nextToken: next + 1)
            return next
        }
        guard let token else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow: Bool = state.withLockedValue { state in
                    guard case .open(var waiters, let next) = state, !Task.isCancelled else { return true }
                    waiters[token] = continuation
                    state = .open(waiters: waiters, nextToken: next)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Void, Never>? = state.withLockedValue { state in
                guard case .open(var waiters, let next) = state else { return nil }
                let removed = waiters.removeValue(forKey: token)
                state = .open(waiters: waiters, nextToken: next)
                return removed
            }
            continuation?.resume()
        }
    }

    private func markClosed() {
        let waiting: [CheckedContinuation<Void, Never>] = state.withLockedValue { state in
            guard case .open(let waiters, _) = state else { return [] }
            state = .closed
            return Array(waiters.values)
        }
        for continuation in waiting { continuation.resume() }
    }
}
