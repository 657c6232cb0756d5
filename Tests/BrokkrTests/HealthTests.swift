import BrokkrCommon
import Foundation
import XCTest

/// Deployment health reporting and aggregation (spec/02 §14 scenario 13, spec/04 §6.8).
final class HealthTests: XCTestCase {
    static func report(_ objectID: String, _ status: String) -> String {
        #"{"deployment_objects":[{"id":"\#(objectID)","status":"\#(status)","summary":{"pods_ready":1,"pods_total":2,"conditions":["ImagePullBackOff"]},"checked_at":"\#(RFC3339.string(from: Date()))"}]}"#
    }

    func testReportsUpsertAndAggregateWorstFirst() async throws {
        try await TestBroker.run { b in
            let a = try await b.createAgent()
            let c = try await b.createAgent()
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)
            let d1 = try await b.createObject(stackID: stack, yaml: "a: 1")["id"]!.stringValue!
            let d2 = try await b.createObject(stackID: stack, yaml: "a: 2")["id"]!.stringValue!

            let first = try await b.request(.PATCH, "agents/\(a.id)/health-status", pak: a.pak, json: Self.report(d1, "degraded"))
            XCTAssertEqual(first.status, 200, first.body)
            XCTAssertEqual(first.body, "")
            do {
                let v = try await b.request(.PATCH, "agents/\(c.id)/health-status", pak: c.pak, json: Self.report(d1, "healthy")).status
                XCTAssertEqual(v, 200)
            }

            var health = try await b.get("deployment-objects/\(d1)/health", b.adminPAK)
            XCTAssertEqual(health["health_records"]?.arrayValue?.count, 2)
            XCTAssertEqual(health["overall_status"], .string("degraded"))
            let summary = health["health_records"]?.arrayValue?.first { $0["agent_id"] == .string(a.id) }?["summary"]?.stringValue ?? ""
            XCTAssertEqual(try JSONValue.parse(summary)["pods_total"], .int(2), "summary is stored as JSON text")

            // Re-reporting replaces, never appends.
            _ = try await b.request(.PATCH, "agents/\(a.id)/health-status", pak: a.pak, json: Self.report(d1, "healthy"))
            health = try await b.get("deployment-objects/\(d1)/health", b.adminPAK)
            XCTAssertEqual(health["health_records"]?.arrayValue?.count, 2)
            XCTAssertEqual(health["overall_status"], .string("healthy"))

            // Invalid entries are skipped; another agent cannot report for this one; generators cannot read.
            do {
                let v = try await b.request(.PATCH, "agents/\(a.id)/health-status", pak: a.pak, json: Self.report(d2, "bogus")).status
                XCTAssertEqual(v, 200)
            }
            do {
                let v = try await b.get("deployment-objects/\(d2)/health", b.adminPAK)["overall_status"]
                XCTAssertEqual(v, .string("unknown"))
            }
            do {
                let v = try await b.request(.PATCH, "agents/\(a.id)/health-status", pak: c.pak, json: Self.report(d1, "failing")).status
                XCTAssertEqual(v, 403)
            }
            do {
                let v = try await b.get("deployment-objects/\(d1)/health", gen.pak).status
                XCTAssertEqual(v, 403)
            }
            do {
                let v = try await b.request(.PATCH, "agents/\(a.id)/health-status", pak: a.pak, json: #"{"deployment_objects":5}"#).status
                XCTAssertEqual(v, 422)
            }

            _ = try await b.request(.PATCH, "agents/\(c.id)/health-status", pak: c.pak, json: Self.report(d2, "failing"))
            let stackHealth = try await b.get("stacks/\(stack)/health", b.adminPAK)
            XCTAssertEqual(stackHealth["overall_status"], .string("failing"))
            let objects = stackHealth["deployment_objects"]?.arrayValue ?? []
            let first1 = objects.first { $0["id"] == .string(d1) }
            XCTAssertEqual(first1?["healthy_agents"], .int(2))
            XCTAssertEqual(first1?["status"], .string("healthy"))
            XCTAssertEqual(objects.first { $0["id"] == .string(d2) }?["failing_agents"], .int(1))
            do {
                let v = try await b.get("stacks/\(UUID().uuidString)/health", b.adminPAK)["overall_status"]
                XCTAssertEqual(v, .string("unknown"))
            }
        }
    }
}
