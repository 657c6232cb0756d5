import Foundation
import Logging
import ServiceLifecycle

/// Wakes a claimer loop when a producer NOTIFYs the queue's channel, and otherwise every
/// `pollInterval`, so a lost notification (or a dropped LISTEN connection) only delays work. Its
/// LISTEN connection is a service of the process's group (`run`); a waker that is not run is a plain
/// timer.
public actor QueueWaker: Service {
    private let database: Database
    private let channel: String
    private let pollInterval: Duration
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?

    public init(database: Database, channel: String, pollInterval: Duration) {
        self.database = database
        self.channel = channel
        self.pollInterval = pollInterval
    }

    /// Listens until graceful shutdown, reconnecting after errors; every (re)connect wakes the claimer
    /// to catch up on anything enqueued while nobody listened.
    public nonisolated func run() async throws {
        await cancelWhenGracefulShutdown {
            await NotificationListener(database: self.database, channel: self.channel, logger: self.database.logger).run(
                onListening: { await self.signal() }
            ) { _ in await self.signal() }
        }
        await signal()
    }

    func signal() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending = true
        }
    }

    /// Returns when notified, after the poll interval (or `interval`), or when the calling task is
    /// cancelled (a shutting-down worker must not sleep out a long sweep interval), whichever comes first.
    public func wait(for interval: Duration? = nil) async {
        if pending || Task.isCancelled {
            pending = false
            return
        }
        let timer = Task { [weak self, pollInterval] in
            try? await Task.sleep(for: interval ?? pollInterval)
            await self?.signal()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if pending || Task.isCancelled {
                    pending = false
                    continuation.resume()
                } else {
                    waiter = continuation
                }
            }
        } onCancel: {
            Task { await self.signal() }
        }
        timer.cancel()
        pending = false
    }
}
