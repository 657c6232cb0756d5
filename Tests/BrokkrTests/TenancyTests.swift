import BrokkrCommon
import Foundation
import PostgresNIO
import XCTest

/// Schema-per-tenant isolation (spec/02 §14 scenario 19): two brokers on one database, each in its
/// own schema with its own tables, admin key and rows.
final class TenancyTests: XCTestCase {
    func testTenantsAreIsolated() async throws {
        try await TestBroker.run { a in
            try await TestBroker.run { b in
                XCTAssertNotEqual(a.settings.database.schema, b.settings.database.schema)
                let agent = try await a.createAgent("tenant-agent", cluster: "c")
                do {
                    let v = try await a.get("agents", a.adminPAK).json.arrayValue?.count
                    XCTAssertEqual(v, 1)
                }
                do {
                    let v = try await b.get("agents", b.adminPAK).json.arrayValue?.count
                    XCTAssertEqual(v, 0)
                }
                do {
                    let v = try await b.get("agents", a.adminPAK).status
                    XCTAssertEqual(v, 401, "tenant A's admin key is unknown to tenant B")
                }
                do {
                    let v = try await b.post("auth/pak", agent.pak).status
                    XCTAssertEqual(v, 401)
                }
                for broker in [a, b] {
                    let tables = try await broker.database.query(
                        PostgresQuery(
                            unsafeSQL: """
                                SELECT count(*)::int FROM information_schema.tables WHERE table_schema = '\(broker.settings.database.schema!)' AND table_name = 'agents'
                                """))
                    for try await n in tables.decode(Int.self) { XCTAssertEqual(n, 1) }
                }
            }
        }
    }
}
