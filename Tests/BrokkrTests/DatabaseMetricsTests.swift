import BrokkrCommon
import Foundation
import NIOConcurrencyHelpers
import XCTest

@testable import BrokkrQueue

/// `brokkr_database_queries_total` and `brokkr_database_query_duration_seconds`, by `query_type`.
final class DatabaseMetricsTests: XCTestCase {
    func testStatementsAreTypedByWhatTheyDo() {
        let cases: [(String, String)] = [
            ("SELECT 1", "select"),
            ("\n    select id FROM agents", "select"),
            ("INSERT INTO agents (name) VALUES ($1)", "insert"),
            ("UPDATE agents SET name = $1", "update"),
            ("delete from agents where id = $1", "delete"),
            ("WITH due AS (SELECT id FROM q FOR UPDATE SKIP LOCKED) UPDATE q SET n = 1 FROM due", "update"),
            ("WITH due AS (SELECT id FROM q FOR NO KEY UPDATE) DELETE FROM q USING due", "delete"),
            ("WITH v AS (SELECT 1) INSERT INTO t SELECT * FROM v ON CONFLICT (id) DO UPDATE SET n = 2", "insert"),
            ("WITH v AS (SELECT 1 FOR UPDATE) SELECT * FROM v", "select"),
            ("WITH v AS (SELECT 'insert into' AS \"delete from\") SELECT * FROM v", "select"),
            ("WITH v AS (SELECT 'it''s -- delete from') -- update t\nSELECT * FROM v", "select"),
            ("WITH v AS (SELECT 'x') DELETE FROM t", "delete"),
            ("WITH v AS (SELECT x'0f'::text AS \"a\"--insert into\n) SELECT * FROM v", "select"),
            ("LISTEN brokkr_target_state", "other"),
            ("CREATE TABLE t (id int)", "other"),
            ("", "other"),
        ]
        for (sql, expected) in cases { XCTAssertEqual(QueryObserver.queryType(of: sql), expected, sql) }
    }

    /// The report is reached at the same call depth on the 2,000th statement as on the first (a
    /// function kept in a lock's generic box was once re-wrapped on every access, deepening each call).
    func testTheReportIsCalledAtAConstantDepthHoweverManyStatementsCameBefore() async throws {
        let observer = QueryObserver()
        let calls = NIOLockedValueBox(0)
        let depths = NIOLockedValueBox<[Int]>([])
        observer.observe { _, _ in
            let call = calls.withLockedValue {
                $0 += 1
                return $0
            }
            if call == 1 || call == 2000 { depths.withLockedValue { $0.append(Thread.callStackSymbols.count) } }
        }
        for _ in 0..<2000 { try await observer.time("SELECT 1") {} }
        XCTAssertEqual(calls.withLockedValue { $0 }, 2000)
        let measured = depths.withLockedValue { $0 }
        XCTAssertEqual(measured.count, 2)
        XCTAssertEqual(measured.first, measured.last, "call depth of the first and the 2,000th report")
    }

    func testTheBrokerRecordsItsQueriesByType() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            _ = try await b.get("agents/\(agent.id)", b.adminPAK)
            _ = try await b.delete("agents/\(agent.id)", b.adminPAK)
            let metrics = try await b.get("/metrics", nil).body
            for type in ["select", "insert", "update"] {
                let count = Self.sample(metrics, #"brokkr_database_queries_total{query_type="\#(type)"}"#)
                XCTAssertGreaterThan(count ?? 0, 0, "\(type) queries are counted:\n\(metrics)")
                let timed = Self.sample(metrics, #"brokkr_database_query_duration_seconds_count{query_type="\#(type)"}"#)
                XCTAssertGreaterThan(timed ?? 0, 0, "\(type) queries are timed")
            }
        }
    }

    /// The value of one exposition line, by its metric name and labels.
    static func sample(_ exposition: String, _ series: String) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }
}
