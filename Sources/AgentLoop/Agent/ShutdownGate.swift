import Foundation

/// Lets a shutdown wait for the deployment object being applied: the poller enters the gate before
/// each object and leaves it once the outcome is reported; after `drain` begins, no new object enters.
/// A half-applied object would be applied again by the next agent anyway, but finishing it (within the
/// grace period) keeps its event, and the cluster, consistent.
public final class ShutdownGate: @unchecked Sendable {
    private let lock = NSLock()
    private var stopping = false
    private var inFlight = 0

    public init() {}

    /// Whether a new object may start; false once shutdown began.
    func enter() -> Bool {
        lock.withLock {
            guard !stopping else { return false }
            inFlight += 1
            return true
        }
    }

    func leave() { lock.withLock { inFlight -= 1 } }

    var isStopping: Bool { lock.withLock { stopping } }

    /// Stops new objects and waits until the one in flight is done, or `grace` has passed.
    public func drain(grace: Duration) async {
        lock.withLock { stopping = true }
        let deadline = ContinuousClock.now + grace
        while lock.withLock({ inFlight > 0 }), ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(20)) } catch { return }  // cancelled: stop waiting
        }
    }
}
