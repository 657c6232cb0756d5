import Foundation

/// Migrations as a process's first piece of work: `migrate()` runs them once, and the services that
/// need the schema (a worker's sweeps) `wait()` for them, while the ones that do not (health server,
/// listeners) start at once. A failed migration fails every waiter with its error.
public final class MigrationGate: @unchecked Sendable {
    private let database: Database
    private let lock = NSLock()
    private var outcome: Result<Void, any Error>?
    private var waiters: [UUID: CheckedContinuation<Void, any Error>] = [:]

    public init(database: Database) {
        self.database = database
    }

    public func migrate() async throws {
        do {
            try await Migrator.migrate(database)
            finish(.success(()))
        } catch {
            finish(.failure(error))
            throw error
        }
    }

    /// Returns once the migrations are applied; throws their error, or `CancellationError` when the
    /// caller is cancelled first.
    public func wait() async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready: Result<Void, any Error>? = lock.withLock {
                    if let outcome { return outcome }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            lock.withLock { waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    private func finish(_ result: Result<Void, any Error>) {
        let waiting = lock.withLock {
            outcome = result
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        for waiter in waiting { waiter.resume(with: result) }
    }
}
