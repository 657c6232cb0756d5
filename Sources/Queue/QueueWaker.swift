import Foundation
import Logging
import PostgresNIO

/// Wakes a claimer loop when a producer NOTIFYs the queue's channel, and otherwise every
/// `pollInterval`, so a lost notification (or a dropped LISTEN connection) only delays work.
public actor QueueWaker {
    private let database: Database
    private let channel: String
    private let pollInterval: Duration
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?
    private var listenTask: Task<Void, Never>?

    public init(database: Database, channel: String, pollInterval: Duration) {
        self.database = database
        self.channel = channel
        self.pollInterval = pollInterval
    }

    /// Starts listening in the background; reconnects after errors.
    public func start() {
        guard listenTask == nil else { return }
        let database = self.database
        let channel = self.channel
        listenTask = Task { [weak self] in
            while !Task.isCancelled {
                do {
                    let connection = try await database.makeListenConnection()
                    defer { Task { try? await connection.close() } }
                    let notifications = try await connection.listen(channel)
                    await self?.signal()  // catch up on anything enqueued while we were not listening
                    for try await _ in notifications {
                        await self?.signal()
                    }
                } catch {
                    if Task.isCancelled { return }
                    database.logger.warning("LISTEN \(channel) failed, polling until reconnected: \(error)")
                    try? await Task.sleep(for: .seconds(2))
                }
            }
        }
    }

    public func stop() {
        listenTask?.cancel()
        listenTask = nil
        signal()
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
