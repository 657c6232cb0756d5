import Foundation

/// When the agent next re-applies its whole current state: at start, then `interval` seconds after
/// each completed resync (never when the interval is 0).
final class ResyncSchedule: @unchecked Sendable {
    private let interval: Int
    private let lock = NSLock()
    private var next: ContinuousClock.Instant

    init(interval: Int, now: ContinuousClock.Instant = .now) {
        self.interval = interval
        self.next = now
    }

    func isDue(now: ContinuousClock.Instant = .now) -> Bool {
        interval > 0 && lock.withLock { next <= now }
    }

    func done(now: ContinuousClock.Instant = .now) {
        lock.withLock { next = now + .seconds(interval) }
    }
}
