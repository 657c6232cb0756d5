import BrokkrCommon
import BrokkrQueue
import Foundation
import PostgresNIO

extension WorkerSweep {
    /// By default a worker sweeps every `workers.poll_interval_seconds` (re-read after every round).
    public func interval(_ settings: Settings) -> Int { settings.workers.pollIntervalSeconds }
}

/// The number of rows a sweep's `RETURNING` statement touched.
enum SweepSQL {
    static func count(_ database: Database, _ query: PostgresQuery) async throws -> Int {
        var n = 0
        for try await _ in try await database.query(query) { n += 1 }
        return n
    }
}
