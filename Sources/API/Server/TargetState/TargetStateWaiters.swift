import Foundation

/// In-process fan-out of target-state changes to long-polling requests, keyed by agent id. The
/// single LISTEN connection (`TargetStateListener`) calls `notify`; no request holds a database
/// connection while it waits.
public actor TargetStateWaiters {
    private enum State {
        case registered
        case notified
        case waiting(CheckedContinuation<Void, Never>)
    }

    private var waiters: [UUID: [Int: State]] = [:]
    private var nextToken = 0
    /// Set when the listener stops (shutdown): waits return at once instead of holding requests open.
    private var closed = false

    public init() {}

    /// Registers interest before the caller re-reads the version, so a change committed between the
    /// read and the wait is not lost: its notification marks the registration. Nil once closed.
    func register(_ agentID: UUID) -> Int? {
        guard !closed else { return nil }
        nextToken += 1
        waiters[agentID, default: [:]][nextToken] = .registered
        return nextToken
    }

    /// Suspends until a notification for the agent arrives after `register`, or the task is cancelled.
    func wait(_ agentID: UUID, token: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                switch waiters[agentID]?[token] {
                case .registered?: waiters[agentID]?[token] = .waiting(continuation)
                default: continuation.resume()  // already notified, or removed
                }
            }
        } onCancel: {
            Task { await self.wake(agentID, token: token) }
        }
    }

    func remove(_ agentID: UUID, token: Int) {
        wake(agentID, token: token)
        waiters[agentID]?[token] = nil
        if waiters[agentID]?.isEmpty == true { waiters[agentID] = nil }
    }

    /// A change of the agent's target state was committed.
    public func notify(_ agentID: UUID) {
        for token in Array(waiters[agentID, default: [:]].keys) { wake(agentID, token: token) }
    }

    /// Wakes every waiter to re-read its version: after (re)connecting the listener, notifications
    /// sent while it was not listening are lost.
    public func notifyAll() {
        for agentID in Array(waiters.keys) { notify(agentID) }
    }

    public func close() {
        closed = true
        notifyAll()
    }

    public func reopen() { closed = false }

    private func wake(_ agentID: UUID, token: Int) {
        guard let state = waiters[agentID]?[token] else { return }
        waiters[agentID]?[token] = .notified
        if case .waiting(let continuation) = state { continuation.resume() }
    }
}
