import Foundation

/// The ETag of the last target state the agent fully processed, kept across polls (a poller is made
/// per round). Nil before the first poll, after a failed round, and against brokers that send none.
public final class TargetStateETag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?

    public init() {}

    public var value: String? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
