import Foundation

/// Deployment objects whose apply failed and when each may be tried again: exponential back-off from
/// `initial`, doubling up to `maximum`. The broker keeps sending a failed object until the agent reports
/// SUCCESS for it; this decides when the agent acts on it again. An entry goes when its object succeeds
/// or leaves the target state (a newer version of the stack replaced it). An object that failed for
/// good (`failedForGood`: it cannot parse, and objects never change) is not tried again while it stays.
public final class ApplyRetries: @unchecked Sendable {
    struct Entry {
        var failures: Int
        /// nil: never again.
        var nextAttempt: ContinuousClock.Instant?
    }

    let initial: Duration
    let maximum: Duration
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    public init(initial: Duration = .seconds(5), maximum: Duration = .seconds(300)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// Whether the object may be applied now: never failed, or its back-off has passed.
    func isDue(_ id: String, now: ContinuousClock.Instant = .now) -> Bool {
        lock.withLock {
            guard let entry = entries[id] else { return true }
            return entry.nextAttempt.map { $0 <= now } ?? false
        }
    }

    /// Records a failure and returns how long until the next attempt.
    @discardableResult
    func failed(_ id: String, now: ContinuousClock.Instant = .now) -> Duration {
        lock.withLock {
            let failures = (entries[id]?.failures ?? 0) + 1
            var delay = initial
            for _ in 1..<failures where delay < maximum { delay = delay * 2 }
            delay = min(delay, maximum)
            entries[id] = Entry(failures: failures, nextAttempt: now + delay)
            return delay
        }
    }

    /// Records a failure that another attempt would repeat: the object is not tried again while it
    /// stays in the target state (it is once more after a restart, which forgets this).
    func failedForGood(_ id: String) {
        lock.withLock { entries[id] = Entry(failures: (entries[id]?.failures ?? 0) + 1, nextAttempt: nil) }
    }

    func succeeded(_ id: String) {
        _ = lock.withLock { entries.removeValue(forKey: id) }
    }

    /// Forgets objects that are no longer in the target state.
    func retain(only ids: Set<String>) {
        lock.withLock { entries = entries.filter { ids.contains($0.key) } }
    }

    /// Objects waiting for a retry (not those that failed for good).
    public var pending: Set<String> { lock.withLock { Set(entries.filter { $0.value.nextAttempt != nil }.keys) } }
}
