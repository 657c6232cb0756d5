import Foundation

/// Lets a shutdown wait for the work in flight: a loop enters the gate before each unit of work (the
/// agent's deployment object, a worker's claimed batch) and leaves it once the outcome is recorded;
/// after `drain` begins, no new unit enters. Half-done work would be redone after a restart anyway
/// (by lease expiry, by the next apply), but finishing it within the grace period keeps its outcome.
public final class ShutdownGate: @unchecked Sendable {
    private let lock = NSLock()
    private var stopping = false
    private var inFlight = 0
    private var deadline: ContinuousClock.Instant?

    public init() {}

    /// Whether a new object may start; false once shutdown began.
    public func enter() -> Bool {
        lock.withLock {
            guard !stopping else { return false }
            inFlight += 1
            return true
        }
    }

    public func leave() { lock.withLock { inFlight -= 1 } }

    public var isStopping: Bool { lock.withLock { stopping } }

    /// Stops new work and waits until the work in flight is done, or `grace` has passed since the
    /// first call (several loops sharing the gate wait for one grace period, not one each).
    public func drain(grace: Duration) async {
        let until = lock.withLock {
            stopping = true
            let until = deadline ?? ContinuousClock.now + grace
            deadline = until
            return until
        }
        while lock.withLock({ inFlight > 0 }), ContinuousClock.now < until {
            do { try await Task.sleep(for: .milliseconds(20)) } catch { return }  // cancelled: stop waiting
        }
    }
}
