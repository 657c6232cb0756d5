import BrokkrCommon
import BrokkrQueue
import BrokkrWorkers
import Foundation
import PostgresNIO
import XCTest

/// Work orders over real HTTP (spec 03 §3.8, §8; spec 05 §2 and its acceptance scenarios 18–22)
/// and the brokkr-workorders maintenance sweep.
final class WorkOrderTests: XCTestCase {
    static func create(_ b: TestBroker, _ body: String) async throws -> TestBroker.HTTPResult {
        try await b.post("work-orders", b.adminPAK, body)
    }

    /// A `*` subscription, so every event leaves a delivery row to look at.
    static func subscribeToEverything(_ b: TestBroker) async throws {
        let r = try await b.post("webhooks", b.adminPAK, #"{"name":"all","url":"http://127.0.0.1:9/all","event_types":["*"]}"#)
        XCTAssertEqual(r.status, 201, r.body)
    }

    static func eventTypes(_ b: TestBroker) async throws -> [String] {
        var types: [String] = []
        for try await t in try await b.database.query("SELECT event_type FROM webhook_deliveries ORDER BY created_at, event_type").decode(String.self)
        {
            types.append(t)
        }
        return types
    }

    func testLifecycleClaimRetryFailSucceedAndLog() async throws {
        try await TestBroker.run { b in
            try await Self.subscribeToEverything(b)
            let agent = try await b.createAgent()
            let other = try await b.createAgent()
            let none = try await Self.create(b, #"{"work_type":"build","yaml_content":"a: 1"}"#)
            XCTAssertEqual(none.status, 400)
            XCTAssertEqual(none.error, "At least one targeting method must be specified (agent_ids, labels, or annotations)")
            do {
                let v = try await Self.create(b, #"{"work_type":" ","yaml_content":"a: 1","target_agent_ids":["\#(agent.id)"]}"#).error
                XCTAssertEqual(v, "Work type cannot be empty")
            }
            do {
                let v = try await Self.create(b, #"{"work_type":"b","yaml_content":"a","backoff_seconds":0,"target_agent_ids":["\#(agent.id)"]}"#)
                    .error
                XCTAssertEqual(v, "backoff_seconds must be between 1 and 31536000 (a year)")
            }
            do {
                let v = try await Self.create(b, #"{"work_type":"b","yaml_content":"a","target_agent_ids":["\#(UUID())"]}"#).status
                XCTAssertEqual(v, 422, "an unknown agent is the foreign-key error")
            }
            do {
                let v = try await b.post("work-orders", agent.pak, #"{"work_type":"b","yaml_content":"a"}"#).error
                XCTAssertEqual(v, "Admin access required")
            }

            let created = try await Self.create(
                b, #"{"work_type":"build","yaml_content":"a: 1","max_retries":1,"target_agent_ids":["\#(agent.id)"]}"#)
            XCTAssertEqual(created.status, 201, created.body)
            XCTAssertEqual(created["status"], .string("PENDING"))
            XCTAssertEqual(created["backoff_seconds"], .int(60))
            XCTAssertEqual(created["claim_timeout_seconds"], .int(3600))
            let id = created["id"]?.stringValue ?? ""
            do {
                let v = try await b.get("agents/\(agent.id)/work-orders/pending", agent.pak).json.arrayValue?.count
                XCTAssertEqual(v, 1)
            }
            do {
                let v = try await b.get("agents/\(agent.id)/work-orders/pending?work_type=test", agent.pak).json.arrayValue?.count
                XCTAssertEqual(v, 0)
            }
            do {
                let v = try await b.get("agents/\(other.id)/work-orders/pending", other.pak).json.arrayValue?.count
                XCTAssertEqual(v, 0)
            }
            do {
                let v = try await b.get("agents/\(agent.id)/work-orders/pending", other.pak).status
                XCTAssertEqual(v, 403)
            }

            // Claims: only as oneself, only when eligible, only once.
            do {
                let v = try await b.post("work-orders/\(id)/claim", other.pak, #"{"agent_id":"\#(agent.id)"}"#)["code"]?.stringValue
                XCTAssertEqual(v, "agent_pak_mismatch")
            }
            do {
                let v = try await b.post("work-orders/\(id)/claim", other.pak, #"{"agent_id":"\#(other.id)"}"#).error
                XCTAssertEqual(v, "Work order not found or not claimable")
            }
            let claimed = try await b.post("work-orders/\(id)/claim", agent.pak, #"{"agent_id":"\#(agent.id)"}"#)
            XCTAssertEqual(claimed.status, 200, claimed.body)
            XCTAssertEqual(claimed["status"], .string("CLAIMED"))
            XCTAssertEqual(claimed["claimed_by"], .string(agent.id))
            do {
                let v = try await b.post("work-orders/\(id)/claim", agent.pak, #"{"agent_id":"\#(agent.id)"}"#).status
                XCTAssertEqual(v, 409)
            }
            do {
                let v = try await b.post("work-orders/\(UUID())/claim", agent.pak, #"{"agent_id":"\#(agent.id)"}"#).status
                XCTAssertEqual(v, 404)
            }

            // A retryable failure with retries left waits backoff * 2^1 in RETRY_PENDING.
            do {
                let v = try await b.post("work-orders/\(id)/complete", other.pak, #"{"success":false}"#).status
                XCTAssertEqual(v, 403)
            }
            let retry = try await b.post("work-orders/\(id)/complete", agent.pak, #"{"success":false,"message":"e"}"#)
            XCTAssertEqual(retry.status, 202)
            XCTAssertEqual(retry.json, .object(["status": .string("retry_scheduled")]))
            let waiting = try await b.get("work-orders/\(id)", b.adminPAK)
            XCTAssertEqual(waiting["status"], .string("RETRY_PENDING"))
            XCTAssertEqual(waiting["last_error"], .string("e"))
            XCTAssertEqual(waiting["retry_count"], .int(1))
            let due = RFC3339.date(from: waiting["next_retry_after"]?.stringValue ?? "")?.timeIntervalSinceNow ?? 0
            XCTAssertEqual(due, 120, accuracy: 5)

            // The maintenance worker returns it to PENDING once the back-off has passed.
            try await b.database.query("UPDATE work_orders SET next_retry_after = now() - interval '1 second'")
            do {
                let v = try await WorkOrderMaintenanceSweep().sweep(b.database, settings: b.settings)
                XCTAssertEqual(v, 1)
            }
            do {
                let v = try await b.get("work-orders/\(id)", b.adminPAK)["status"]
                XCTAssertEqual(v, .string("PENDING"))
            }
            _ = try await b.post("work-orders/\(id)/claim", agent.pak, #"{"agent_id":"\#(agent.id)"}"#)
            // Retries used up: the failure is logged.
            let failed = try await b.post("work-orders/\(id)/complete", agent.pak, #"{"success":false,"message":"boom"}"#)
            XCTAssertEqual(failed.status, 200, failed.body)
            XCTAssertEqual(failed["success"], .bool(false))
            XCTAssertEqual(failed["retries_attempted"], .int(1))
            let synthesized = try await b.get("work-orders/\(id)", b.adminPAK)
            XCTAssertEqual(synthesized["status"], .string("FAILED"))
            XCTAssertEqual(synthesized["max_retries"], .int(0))
            XCTAssertEqual(synthesized["last_error"], .string("boom"))
            XCTAssertEqual(synthesized["last_error_at"], failed["completed_at"])
            do {
                let v = try await b.delete("work-orders/\(id)", b.adminPAK).error
                XCTAssertEqual(v, "Work order not found")
            }

            // Success path and the log queries.
            let second = try await Self.create(b, #"{"work_type":"build","yaml_content":"b: 2","target_agent_ids":["\#(agent.id)"]}"#)["id"]!
                .stringValue!
            _ = try await b.post("work-orders/\(second)/claim", agent.pak, #"{"agent_id":"\#(agent.id)"}"#)
            let done = try await b.post("work-orders/\(second)/complete", agent.pak, #"{"success":true,"message":"sha256:abc"}"#)
            XCTAssertEqual(done.status, 200)
            XCTAssertEqual(done["result_message"], .string("sha256:abc"))
            do {
                let v = try await b.get("work-orders/\(second)", b.adminPAK)["status"]
                XCTAssertEqual(v, .string("COMPLETED"))
            }
            do {
                let v = try await b.get("work-order-log/\(second)", b.adminPAK)["success"]
                XCTAssertEqual(v, .bool(true))
            }
            do {
                let v = try await b.get("work-order-log/\(UUID())", b.adminPAK).error
                XCTAssertEqual(v, "Work order log entry not found")
            }
            do {
                let v = try await b.get("work-order-log?success=true", b.adminPAK).json.arrayValue?.count
                XCTAssertEqual(v, 1)
            }
            do {
                let v = try await b.get("work-order-log?agent_id=\(agent.id)&limit=1", b.adminPAK).json.arrayValue?.count
                XCTAssertEqual(v, 1)
            }
            do {
                let v = try await b.get("work-order-log?work_type=build", b.adminPAK).json.arrayValue?.count
                XCTAssertEqual(v, 2)
            }

            // Non-retryable failure goes straight to the log; cancel removes an active order.
            let third = try await Self.create(b, #"{"work_type":"build","yaml_content":"c","target_agent_ids":["\#(agent.id)"]}"#)["id"]!.stringValue!
            _ = try await b.post("work-orders/\(third)/claim", agent.pak, #"{"agent_id":"\#(agent.id)"}"#)
            do {
                let v = try await b.post("work-orders/\(third)/complete", agent.pak, #"{"success":false,"retryable":false}"#)["result_message"]
                XCTAssertEqual(v, .string("Unknown error"))
            }
            let fourth = try await Self.create(b, #"{"work_type":"other","yaml_content":"d","target_agent_ids":["\#(agent.id)"]}"#)["id"]!
                .stringValue!
            do {
                let v = try await b.get("work-orders?status=PENDING&work_type=other", b.adminPAK).json.arrayValue?.count
                XCTAssertEqual(v, 1)
            }
            do {
                let v = try await b.delete("work-orders/\(fourth)", b.adminPAK).status
                XCTAssertEqual(v, 204)
            }
            do {
                let v = try await b.get("work-orders/\(fourth)", b.adminPAK).status
                XCTAssertEqual(v, 404)
            }

            // Every transition wrote its event in its transaction; the audit trail names the actors.
            let types = try await Self.eventTypes(b)
            XCTAssertEqual(types.filter { $0 == "workorder.created" }.count, 4)
            XCTAssertEqual(types.filter { $0 == "workorder.claimed" }.count, 4)
            XCTAssertEqual(types.filter { $0 == "workorder.completed" }.count, 1)
            XCTAssertEqual(types.filter { $0 == "workorder.failed" }.count, 2, "only logged failures, not scheduled retries")
            try await b.flushAudit()
            var actions: [String] = []
            for try await (a, actor) in try await b.database.query("SELECT action, actor_type FROM audit_logs WHERE resource_type = 'work_order'")
                .decode((String, String).self)
            {
                actions.append("\(a)/\(actor)")
            }
            XCTAssertTrue(
                Set(actions).isSuperset(of: [
                    "workorder.created/admin", "workorder.claimed/agent", "workorder.completed/agent", "workorder.failed/agent",
                ]), "\(actions)")
        }
    }

    func testConcurrentClaimersExactlyOneWins() async throws {
        try await TestBroker.run { b in
            var agents: [TestBroker.Created] = []
            for _ in 0..<8 {
                let a = try await b.createAgent()
                _ = try await b.request(.POST, "agents/\(a.id)/labels", pak: b.adminPAK, json: #""capability=builder""#)
                agents.append(a)
            }
            for _ in 0..<5 {
                let id = try await Self.create(b, #"{"work_type":"build","yaml_content":"x","targeting":{"labels":["capability=builder","gpu"]}}"#)[
                    "id"]!.stringValue!
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for a in agents { group.addTask { try await b.post("work-orders/\(id)/claim", a.pak, #"{"agent_id":"\#(a.id)"}"#).status } }
                    var all: [Int] = []
                    for try await s in group { all.append(s) }
                    return all
                }
                XCTAssertEqual(statuses.filter { $0 == 200 }.count, 1, "\(statuses)")
                XCTAssertEqual(statuses.filter { $0 == 409 }.count, agents.count - 1, "\(statuses)")
            }
        }
    }

    func testLabelAndAnnotationTargetingIsAnyMatch() async throws {
        try await TestBroker.run { b in
            let byLabel = try await b.createAgent()
            let byAnnotation = try await b.createAgent()
            let neither = try await b.createAgent()
            _ = try await b.request(.POST, "agents/\(byLabel.id)/labels", pak: b.adminPAK, json: #""env=dev""#)
            _ = try await b.post("agents/\(byAnnotation.id)/annotations", b.adminPAK, #"{"key":"region","value":"eu"}"#)
            _ = try await b.post("agents/\(neither.id)/annotations", b.adminPAK, #"{"key":"region","value":"us"}"#)
            let r = try await Self.create(
                b, #"{"work_type":"t","yaml_content":"x","targeting":{"labels":["env=dev","env=prod"],"annotations":{"region":"eu"}}}"#)
            XCTAssertEqual(r.status, 201, r.body)
            for (agent, expected) in [(byLabel, 1), (byAnnotation, 1), (neither, 0)] {
                let v = try await b.get("agents/\(agent.id)/work-orders/pending", agent.pak).json.arrayValue?.count
                XCTAssertEqual(v, expected)
            }
            do {
                let v = try await Self.create(b, #"{"work_type":"t","yaml_content":"x","targeting":{"labels":["has space"]}}"#).status
                XCTAssertEqual(v, 400)
            }
        }
    }

    func testMaintenanceReleasesStaleClaimsAndExpiresThoseWithoutRetries() async throws {
        try await TestBroker.run { b in
            try await Self.subscribeToEverything(b)
            let agent = try await b.createAgent()
            let retryable = try await Self.create(
                b, #"{"work_type":"b","yaml_content":"x","max_retries":1,"claim_timeout_seconds":1,"target_agent_ids":["\#(agent.id)"]}"#)["id"]!
                .stringValue!
            let last = try await Self.create(
                b, #"{"work_type":"b","yaml_content":"y","max_retries":0,"claim_timeout_seconds":1,"target_agent_ids":["\#(agent.id)"]}"#)["id"]!
                .stringValue!
            for id in [retryable, last] { _ = try await b.post("work-orders/\(id)/claim", agent.pak, #"{"agent_id":"\#(agent.id)"}"#) }
            do {
                let v = try await WorkOrderMaintenanceSweep().sweep(b.database, settings: b.settings)
                XCTAssertEqual(v, 0, "claims still fresh")
            }
            try await Task.sleep(for: .milliseconds(1200))
            do {
                let v = try await WorkOrderMaintenanceSweep().sweep(b.database, settings: b.settings)
                XCTAssertEqual(v, 2)
            }
            let released = try await b.get("work-orders/\(retryable)", b.adminPAK)
            XCTAssertEqual(released["status"], .string("PENDING"))
            XCTAssertEqual(released["claimed_by"], .null)
            XCTAssertEqual(released["retry_count"], .int(1))
            let expired = try await b.get("work-orders/\(last)", b.adminPAK)
            XCTAssertEqual(expired["status"], .string("FAILED"))
            XCTAssertTrue(expired["last_error"]?.stringValue?.hasPrefix("Claim expired") ?? false, expired.body)
            do {
                let v = try await Self.eventTypes(b).filter { $0 == "workorder.failed" }.count
                XCTAssertEqual(v, 1)
            }
        }
    }

    func testSeveralMaintenanceWorkersShareTheWorkWithoutOverlap() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            try await b.database.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO work_orders (work_type, yaml_content, status, next_retry_after)
                        SELECT 'b', 'x', 'RETRY_PENDING', now() - interval '1 second' FROM generate_series(1, 1200)
                        """))
            _ = agent
            let handled = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 { group.addTask { try await WorkOrderStore(sql: b.database).resumeRetries() } }
                var total = 0
                for try await n in group { total += n }
                return total
            }
            let rest = try await WorkOrderStore(sql: b.database).resumeRetries() + WorkOrderStore(sql: b.database).resumeRetries()
            XCTAssertEqual(handled + rest, 1200, "each order moved exactly once")
            for try await n in try await b.database.query("SELECT count(*)::int FROM work_orders WHERE status = 'PENDING'").decode(Int.self) {
                XCTAssertEqual(n, 1200)
            }
        }
    }
}
