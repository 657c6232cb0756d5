import Foundation

/// Lets one failed-authentication audit entry per client address and minute through, so a flood of
/// bad keys costs no database write per request. Every failure still counts in
/// `brokkr_auth_failures_total`; the audit log keeps who tried, from where, and when.
final class FailedAuthLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var minute: Int = -1
    private var seen: Set<String> = []

    /// True for the first failure of `source` in the current minute.
    func shouldRecord(source: String, now: Date = Date()) -> Bool {
        let current = Int(now.timeIntervalSince1970 / 60)
        return lock.withLock {
            if current != minute {
                minute = current
                seen.removeAll(keepingCapacity: true)
            }
            return seen.insert(source).inserted
        }
    }
}
