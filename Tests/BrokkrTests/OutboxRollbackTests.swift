import BrokkrCommon
import BrokkrQueue
import Foundation
import PostgresNIO
import XCTest

/// Audit entries and webhook deliveries are rows written in the change's own transaction: a change
/// that fails leaves neither behind, and one that commits leaves both.
final class OutboxRollbackTests: XCTestCase {
    struct ChangeFailed: Error {}

    func testAFailedChangeLeavesNoAuditOrWebhookRows() async throws {
        try await TestBroker.run { b in
            let hook = try await b.post("webhooks", b.adminPAK, #"{"name":"all","url":"http://127.0.0.1:9/x","event_types":["*"]}"#)
            XCTAssertEqual(hook.status, 201, hook.body)
            func sideEffects(committing: Bool) async throws {
                try await b.database.withTransaction { tx in
                    try await AuditOutbox.write(
                        AuditEntry(
                            actorType: "system", actorID: nil, action: "test.change", resourceType: "system",
                            resourceID: nil), on: tx)
                    let queued = try await EventOutbox.emit(
                        BrokkrEvent(eventType: "stack.created", data: .object([:])),
                        on: tx)
                    XCTAssertEqual(queued, 1, "the subscription matches inside the transaction")
                    if !committing { throw ChangeFailed() }
                }
            }
            func counts() async throws -> (Int, Int) {
                let rows = try await b.database.query(
                    """
                    SELECT (SELECT count(*) FROM audit_outbox WHERE action = 'test.change')::int,
                           (SELECT count(*) FROM webhook_deliveries WHERE event_type = 'stack.created')::int
                    """)
                for try await pair in rows.decode((Int, Int).self) { return pair }
                return (-1, -1)
            }
            do {
                try await sideEffects(committing: false)
                XCTFail("the change should have failed")
            } catch is ChangeFailed {}
            let afterFailure = try await counts()
            XCTAssertEqual(afterFailure.0, 0, "no audit entry from a rolled-back change")
            XCTAssertEqual(afterFailure.1, 0, "no webhook delivery from a rolled-back change")
            try await sideEffects(committing: true)
            let afterCommit = try await counts()
            XCTAssertEqual(afterCommit.0, 1)
            XCTAssertEqual(afterCommit.1, 1)
        }
    }
}
