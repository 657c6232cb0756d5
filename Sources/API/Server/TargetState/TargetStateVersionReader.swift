import BrokkrQueue
import Foundation
import NIOConcurrencyHelpers

/// Reads agents' target-state versions for concurrent polls in shared lookups. One read runs at a
/// time; the polls that arrive meanwhile queue up, and the first of them reads for all of them next
/// (`agent_id = ANY($1)`). Every poll's read starts after the poll arrived, so a change committed
/// before it is never answered with a stale `304`; under load one query answers many polls.
///
/// Nothing runs between reads: the poll that finds no read running reads, and hands the turn to the
/// first queued poll when done.
final class TargetStateVersionReader: Sendable {
    private enum Turn {
        case version(Int64)
        case read
    }

    private struct State {
        var reading = false
        var queued: [(agentID: UUID, continuation: CheckedContinuation<Turn, any Error>)] = []
    }

    private let state = NIOLockedValueBox(State())
    private let sql: any SQLExecutor

    init(sql: any SQLExecutor) { self.sql = sql }

    /// The agent's current version; 0 until the first change (and for unknown agents).
    func version(agentID: UUID) async throws -> Int64 {
        let turn = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Turn, any Error>) in
            let readsNow = state.withLockedValue { state in
                if state.reading {
                    state.queued.append((agentID, continuation))
                    return false
                }
                state.reading = true
                return true
            }
            if readsNow { continuation.resume(returning: .read) }
        }
        switch turn {
        case .version(let version): return version
        case .read: return try await readQueued(with: agentID)
        }
    }

    /// Reads for this poll and every queued one, hands the turn on, then answers the queued polls.
    private func readQueued(with agentID: UUID) async throws -> Int64 {
        let batch = state.withLockedValue { state in
            defer { state.queued = [] }
            return state.queued
        }
        let ids = Array(Set(batch.map(\.agentID)).union([agentID]))
        // The lookup is everyone's: it runs in a task of its own, so a reader whose request is
        // cancelled (its client went away) does not cancel it for the polls it reads for.
        let store = TargetStateVersionStore(sql: sql)
        let result = await Task { try await store.versions(agentIDs: ids) }.result
        let next = state.withLockedValue { state -> CheckedContinuation<Turn, any Error>? in
            if state.queued.isEmpty {
                state.reading = false
                return nil
            }
            return state.queued.removeFirst().continuation
        }
        next?.resume(returning: .read)
        for (id, continuation) in batch { continuation.resume(with: result.map { .version($0[id] ?? 0) }) }
        return try result.get()[agentID] ?? 0
    }
}
