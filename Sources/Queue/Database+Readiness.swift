import Foundation
import PostgresNIO

extension Database {
    /// Whether `SELECT 1` answers within `timeout`. A probe must answer quickly: while PostgreSQL is
    /// unreachable, acquiring a pooled connection waits for the pool's own timeouts, and the query
    /// may not stop at once when cancelled. So the answer does not wait for it: the query finishes
    /// (or fails) on its own afterwards.
    public func isReachable(within timeout: Duration = .seconds(1)) async -> Bool {
        let once = ResumeOnce()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            @Sendable func answer(_ value: Bool) {
                if once.claim() { continuation.resume(returning: value) }
            }
            let probe = Task { answer((try? await self.query("SELECT 1")) != nil) }
            Task {
                try? await Task.sleep(for: timeout)
                answer(false)
                probe.cancel()
            }
        }
    }
}

/// True for the first caller only.
private final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    func claim() -> Bool {
        lock.withLock {
            defer { done = true }
            return !done
        }
    }
}
