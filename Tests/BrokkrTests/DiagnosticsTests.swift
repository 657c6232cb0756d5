import BrokkrCommon
import BrokkrWorkers
import Foundation
import PostgresNIO
import XCTest

/// On-demand diagnostics (spec/02 §14 scenario 14, spec/04 §10 scenario 17).
final class DiagnosticsTests: XCTestCase {
    func testDiagnosticsLifecycle() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            let other = try await b.createAgent()
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)
            let object = try await b.createObject(stackID: stack, yaml: "a: 1")["id"]!.stringValue!
            let created = try await b.post(
                "deployment-objects/\(object)/diagnostics", b.adminPAK,
                #"{"agent_id":"\#(agent.id)","retention_minutes":30,"requested_by":"ops"}"#)
            XCTAssertEqual(created.status, 201, created.body)
            XCTAssertEqual(created["status"], .string("pending"))
            let expires = RFC3339.date(from: created["expires_at"]?.stringValue ?? "") ?? .distantPast
            XCTAssertEqual(expires.timeIntervalSinceNow, 1800, accuracy: 60)
            let id = created["id"]!.stringValue!

            for bad in [#"{"agent_id":"\#(agent.id)","retention_minutes":0}"#, #"{"agent_id":"\#(agent.id)","retention_minutes":1441}"#] {
                do {
                    let v = try await b.post("deployment-objects/\(object)/diagnostics", b.adminPAK, bad).status
                    XCTAssertEqual(v, 400)
                }
            }
            do {
                let v = try await b.post("deployment-objects/\(object)/diagnostics", b.adminPAK, #"{"agent_id":"\#(UUID().uuidString)"}"#).status
                XCTAssertEqual(v, 404)
            }
            do {
                let v = try await b.post("deployment-objects/\(UUID().uuidString)/diagnostics", b.adminPAK, #"{"agent_id":"\#(agent.id)"}"#).status
                XCTAssertEqual(v, 404)
            }
            do {
                let v = try await b.post("deployment-objects/\(object)/diagnostics", gen.pak, #"{"agent_id":"\#(agent.id)"}"#).status
                XCTAssertEqual(v, 403)
            }

            let pending = try await b.get("agents/\(agent.id)/diagnostics/pending", agent.pak).json.arrayValue ?? []
            XCTAssertEqual(pending.map { $0["id"] }, [.string(id)])
            do {
                let v = try await b.get("agents/\(agent.id)/diagnostics/pending", other.pak).status
                XCTAssertEqual(v, 403)
            }

            // Result before the claim, by the admin, by another agent.
            let early = try await b.post(
                "diagnostics/\(id)/result", agent.pak, #"{"pod_statuses":"[]","events":"[]","collected_at":"2026-01-01T00:00:00Z"}"#)
            XCTAssertEqual(early.status, 409)
            XCTAssertEqual(early.error, "Request status is pending, expected 'claimed'")
            do {
                let v = try await b.post("diagnostics/\(id)/claim", other.pak).status
                XCTAssertEqual(v, 403)
            }

            // Exactly one of several concurrent claims wins.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<5 { group.addTask { try await b.post("diagnostics/\(id)/claim", agent.pak).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            XCTAssertEqual(statuses.sorted(), [200, 409, 409, 409, 409])
            do {
                let v = try await b.post("diagnostics/\(id)/claim", agent.pak).error
                XCTAssertEqual(v, "Request is already claimed")
            }
            do {
                let v = try await b.get("agents/\(agent.id)/diagnostics/pending", agent.pak).json
                XCTAssertEqual(v, .array([]))
            }

            do {
                let v = try await b.post(
                    "diagnostics/\(id)/result", b.adminPAK, #"{"pod_statuses":"[]","events":"[]","collected_at":"2026-01-01T00:00:00Z"}"#
                ).status
                XCTAssertEqual(v, 403)
            }
            do {
                let v = try await b.post(
                    "diagnostics/\(id)/result", agent.pak, #"{"pod_statuses":"not json","events":"[]","collected_at":"2026-01-01T00:00:00Z"}"#
                ).status
                XCTAssertEqual(v, 400)
            }
            let result = try await b.post(
                "diagnostics/\(id)/result", agent.pak,
                #"{"pod_statuses":"[{\"name\":\"p\"}]","events":"[]","log_tails":null,"collected_at":"2026-01-01T00:00:00Z"}"#)
            XCTAssertEqual(result.status, 201, result.body)
            XCTAssertEqual(result["request_id"], .string(id))
            let full = try await b.get("diagnostics/\(id)", b.adminPAK)
            XCTAssertEqual(full["request"]?["status"], .string("completed"))
            XCTAssertEqual(full["result"]?["pod_statuses"], .string(#"[{"name":"p"}]"#))
            do {
                let v = try await b.get("diagnostics/\(id)", other.pak).status
                XCTAssertEqual(v, 403)
            }
            do {
                let v = try await b.get("diagnostics/\(UUID().uuidString)", b.adminPAK).status
                XCTAssertEqual(v, 404)
            }

            // Cleanup: an overdue pending request becomes expired; finished ones older than max age go.
            let overdue = try await b.post(
                "deployment-objects/\(object)/diagnostics", b.adminPAK, #"{"agent_id":"\#(agent.id)","retention_minutes":1}"#)["id"]!.stringValue!
            try await b.database.query(
                PostgresQuery(unsafeSQL: "UPDATE diagnostic_requests SET expires_at = now() - interval '1 second' WHERE id = '\(overdue)'"))
            _ = try await CleanupSweep().sweep(b.database, settings: b.settings)
            do {
                let v = try await b.get("diagnostics/\(overdue)", b.adminPAK)["request"]?["status"]
                XCTAssertEqual(v, .string("expired"))
            }
            do {
                let v = try await b.get("diagnostics/\(id)", b.adminPAK).status
                XCTAssertEqual(v, 200, "kept for diagnostic_max_age_hours")
            }
            var settings = b.settings
            settings.broker.diagnosticMaxAgeHours = 0
            _ = try await CleanupSweep().sweep(b.database, settings: settings)
            do {
                let v = try await b.get("diagnostics/\(overdue)", b.adminPAK).status
                XCTAssertEqual(v, 404)
            }
            do {
                let v = try await b.get("diagnostics/\(id)", b.adminPAK).status
                XCTAssertEqual(v, 404, "completed request removed after max age 0")
            }
        }
    }
}
