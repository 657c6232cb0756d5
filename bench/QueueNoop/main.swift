// brokkr-bench-queue: the queue alone, for bench/webhook-delivery.sh. Jobs in a table of their own,
// claimed and completed through the project's WorkQueue (the same claim CTE and completion as the
// webhook deliverer) by a consumer whose job does nothing, against PgQueuer's no-op consumer.
//   brokkr-bench-queue install DSN          creates the table bench_jobs (idempotent)
//   brokkr-bench-queue enqueue DSN N        replaces its rows with N due jobs
//   brokkr-bench-queue consume DSN BATCH    claims BATCH at a time and completes them until a claim
//                                           finds nothing; prints "<jobs> <first claim> <last completion>"
//                                           (unix seconds), so start-up is not part of the timing
import BrokkrCommon
import BrokkrQueue
import Foundation
import Logging
import PostgresNIO

let spec = QueueSpec(table: "bench_jobs", channel: "brokkr_bench_jobs")

func withDatabase(_ dsn: String, _ body: (Database) async throws -> Void) async throws {
    let settings = try Settings.load(environment: ["BROKKR__DATABASE__URL": dsn])
    try await Database.withDatabase(settings, poolSize: 2, logger: Logger(label: "brokkr-bench-queue"), body)
}

func install(_ database: Database) async throws {
    _ = try await database.rows(
        """
        CREATE TABLE IF NOT EXISTS bench_jobs (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            status text NOT NULL DEFAULT 'pending',
            claimed_by text, lease_until timestamptz,
            attempts int NOT NULL DEFAULT 0, max_attempts int NOT NULL DEFAULT 5,
            run_at timestamptz NOT NULL DEFAULT now(), last_error text,
            payload text NOT NULL DEFAULT '{}')
        """)
    _ = try await database.rows("CREATE INDEX IF NOT EXISTS bench_jobs_due ON bench_jobs (run_at) WHERE status IN ('pending', 'failed')")
}

func enqueue(_ database: Database, count: Int) async throws {
    _ = try await database.rows("TRUNCATE bench_jobs")
    _ = try await database.rows("INSERT INTO bench_jobs (run_at) SELECT now() FROM generate_series(1, \(count))")
    _ = try await database.rows("VACUUM ANALYZE bench_jobs")
}

func consume(_ database: Database, batch: Int) async throws {
    let queue = WorkQueue(spec: spec, sql: database)
    let owner = "bench:\(ProcessInfo.processInfo.processIdentifier)"
    var handled = 0
    var first: Date?
    var last = Date()
    while true {
        let claims = try await queue.claim(owner: owner, limit: batch, leaseSeconds: 60)
        if claims.isEmpty { break }
        if first == nil { first = Date() }
        handled += try await queue.complete(claims.map(\.id), owner: owner).count
        last = Date()
    }
    print(handled, (first ?? last).timeIntervalSince1970, last.timeIntervalSince1970)
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: brokkr-bench-queue install|enqueue|consume DSN [N|BATCH]\n".utf8))
    exit(2)
}
let dsn = arguments[2]
let number = arguments.count > 3 ? Int(arguments[3]) ?? 0 : 0
try await withDatabase(dsn) { database in
    switch arguments[1] {
    case "install": try await install(database)
    case "enqueue": try await enqueue(database, count: number)
    default: try await consume(database, batch: max(number, 1))
    }
}
