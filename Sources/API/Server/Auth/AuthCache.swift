import BrokkrCommon
import Foundation

/// Verified key hashes → principal, with a TTL and a capacity bound (10,000 like the original).
/// Rotation, deletion and deactivation evict the old hash, so a revoked key fails at once on this
/// process; other processes see the change within the TTL.
public final class AuthCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (Principal, ContinuousClock.Instant)] = [:]
    private let ttl: Duration
    private let capacity: Int

    public init(ttlSeconds: Int, capacity: Int = 10_000) {
        self.ttl = .seconds(ttlSeconds)
        self.capacity = capacity
    }

    public var isEnabled: Bool { ttl > .zero }

    public func get(_ hash: String) -> Principal? {
        guard isEnabled else { return nil }
        return lock.withLock {
            guard let (principal, expiry) = entries[hash] else { return nil }
            if ContinuousClock.now >= expiry {
                entries[hash] = nil
                return nil
            }
            return principal
        }
    }

    public func insert(_ hash: String, _ principal: Principal) {
        guard isEnabled else { return }
        lock.withLock {
            if entries.count >= capacity {
                let now = ContinuousClock.now
                entries = entries.filter { $0.value.1 > now }
                if entries.count >= capacity, let victim = entries.min(by: { $0.value.1 < $1.value.1 })?.key {
                    entries[victim] = nil
                }
            }
            entries[hash] = (principal, ContinuousClock.now + ttl)
        }
    }

    public func evict(_ hash: String?) {
        guard let hash else { return }
        lock.withLock { entries[hash] = nil }
    }

    /// Evicts every cached entry that resolves to `principal` (used when an agent is deactivated).
    public func evict(principal: Principal) {
        lock.withLock { entries = entries.filter { $0.value.0 != principal } }
    }
}
