import BrokkrQueue
import Foundation
import PostgresNIO
import XCTest

/// The claim primitive: several concurrent claimers never get the same row, a claimer that dies
/// loses nothing (its lease expires and the row is claimed again), failures back off then die.
final class QueueTests: XCTestCase {
    static func makeTable(_ database: Database, rows: Int, maxAttempts: Int = 3) async throws -> QueueSpec {
        try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    CREATE TABLE test_jobs (
                        id UUID PRIMARY KEY DEFAULT gen_random_uuid(), status TEXT NOT NULL DEFAULT 'pending',
                        claimed_by TEXT, lease_until TIMESTAMPTZ, attempts INT NOT NULL DEFAULT 0,
                        max_attempts INT NOT NULL DEFAULT \(maxAttempts), run_at TIMESTAMPTZ NOT NULL DEFAULT now(), last_error TEXT)
                    """))
        try await database.query("INSERT INTO test_jobs (status) SELECT 'pending' FROM generate_series(1, \(rows))")
        return QueueSpec(table: "test_jobs", channel: "test_jobs")
    }

    func testConcurrentClaimersNeverShareARowAndDrainEverything() async throws {
        try await TestDatabase.withMigratedDatabase(poolSize: 12) { database, _ in
            let spec = try await Self.makeTable(database, rows: 600)
            let queue = WorkQueue(spec: spec, sql: database)
            let claimed = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var mine: [UUID] = []
                        while true {
                            let batch = try await queue.claim(owner: "w\(worker)", limit: 7, leaseSeconds: 60)
                            if batch.isEmpty { return mine }
                            for claim in batch {
                                do {
                                    let v = try await queue.complete(claim.id, owner: "w\(worker)")
                                    XCTAssertTrue(v)
                                }
                                mine.append(claim.id)
                            }
                        }
                    }
                }
                var all: [UUID] = []
                for try await ids in group { all += ids }
                return all
            }
            XCTAssertEqual(claimed.count, 600)
            XCTAssertEqual(Set(claimed).count, 600, "a row was handed out twice")
            for try await n in try await database.query("SELECT count(*)::int FROM test_jobs WHERE status <> 'done'").decode(Int.self) {
                XCTAssertEqual(n, 0)
            }
        }
    }

    func testRowsOfADeadClaimerAreRecoveredAfterTheLease() async throws {
        try await TestDatabase.withMigratedDatabase { database, _ in
            let queue = WorkQueue(spec: try await Self.makeTable(database, rows: 10), sql: database)
            // "dead" claims half and never completes (as if SIGKILLed mid-batch).
            let lost = try await queue.claim(owner: "dead", limit: 5, leaseSeconds: 1)
            XCTAssertEqual(lost.count, 5)
            let live = try await queue.claim(owner: "live", limit: 100, leaseSeconds: 60)
            XCTAssertEqual(live.count, 5, "leased rows are not handed out again while the lease holds")
            for c in live { try await queue.complete(c.id, owner: "live") }
            do {
                let v = try await queue.recoverExpiredLeases()
                XCTAssertEqual(v, 0, "leases still valid")
            }
            try await Task.sleep(for: .milliseconds(1300))
            do {
                let v = try await queue.recoverExpiredLeases()
                XCTAssertEqual(v, 5)
            }
            let again = try await queue.claim(owner: "live", limit: 100, leaseSeconds: 60)
            XCTAssertEqual(Set(again.map(\.id)), Set(lost.map(\.id)))
            XCTAssertTrue(again.allSatisfy { $0.attempt == 2 })
            // The dead claimer's late completion is refused: it no longer owns the row.
            do {
                let v = try await queue.complete(lost[0].id, owner: "dead")
                XCTAssertFalse(v)
            }
            for c in again {
                do {
                    let v = try await queue.complete(c.id, owner: "live")
                    XCTAssertTrue(v)
                }
            }
        }
    }

    func testFailuresBackOffExponentiallyThenDie() async throws {
        try await TestDatabase.withMigratedDatabase { database, _ in
            var spec = try await Self.makeTable(database, rows: 1, maxAttempts: 3)
            spec.baseBackoffSeconds = 10
            let queue = WorkQueue(spec: spec, sql: database)
            var claim = try await queue.claim(owner: "w", limit: 1, leaseSeconds: 60)[0]
            do {
                let v = try await queue.fail(claim.id, owner: "w", error: "HTTP 500")
                XCTAssertEqual(v, .retryScheduled)
            }
            // Not due yet: the back-off is about 10 s (±20%).
            do {
                let v = try await queue.claim(owner: "w", limit: 1, leaseSeconds: 60).isEmpty
                XCTAssertTrue(v)
            }
            for try await delay in try await database.query("SELECT extract(epoch FROM run_at - now())::float8 FROM test_jobs").decode(Double.self) {
                XCTAssertGreaterThan(delay, 7)
                XCTAssertLessThan(delay, 12.5)
            }
            for attempt in 2...3 {
                try await database.query("UPDATE test_jobs SET run_at = now()")
                claim = try await queue.claim(owner: "w", limit: 1, leaseSeconds: 60)[0]
                XCTAssertEqual(claim.attempt, attempt)
                if attempt == 2 {
                    do {
                        let v = try await queue.fail(claim.id, owner: "w", error: "HTTP 500")
                        XCTAssertEqual(v, .retryScheduled)
                    }
                    for try await delay in try await database.query("SELECT extract(epoch FROM run_at - now())::float8 FROM test_jobs").decode(
                        Double.self)
                    {
                        XCTAssertGreaterThan(delay, 15, "second back-off doubles")
                    }
                } else {
                    do {
                        let v = try await queue.fail(claim.id, owner: "w", error: "HTTP 500")
                        XCTAssertEqual(v, .dead)
                    }
                }
            }
            try await database.query("UPDATE test_jobs SET run_at = now()")
            do {
                let v = try await queue.claim(owner: "w", limit: 1, leaseSeconds: 60).isEmpty
                XCTAssertTrue(v, "dead rows are never claimed")
            }
            do {
                let v = try await queue.fail(claim.id, owner: "w", error: "late")
                XCTAssertEqual(v, .notOwned)
            }
        }
    }

    func testNotifyWakesAWaitingClaimer() async throws {
        try await TestDatabase.withMigratedDatabase { database, _ in
            _ = try await Self.makeTable(database, rows: 0)
            let waker = QueueWaker(database: database, channel: "test_jobs", pollInterval: .seconds(30))
            let listening = Task { try await waker.run() }
            defer { listening.cancel() }
            try await Task.sleep(for: .milliseconds(500))
            await waker.wait()  // consumes the catch-up signal sent on LISTEN
            let start = ContinuousClock.now
            async let woke: Void = waker.wait()
            try await Task.sleep(for: .milliseconds(200))
            try await database.withTransaction { tx in
                _ = try await tx.rows("INSERT INTO test_jobs DEFAULT VALUES")
                try await WorkQueue.notify("test_jobs", on: tx)
            }
            await woke
            XCTAssertLessThan(ContinuousClock.now - start, .seconds(10), "woken by NOTIFY, not by the 30 s poll")
        }
    }
}
