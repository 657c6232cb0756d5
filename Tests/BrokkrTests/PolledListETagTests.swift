import BrokkrCommon
import Foundation
import XCTest

@testable import BrokkrAgent

/// The lists an agent polls besides its target state — pending work orders and pending diagnostics —
/// answer with an `ETag` and `304 Not Modified` while unchanged (issue 11 §1), and the agent's broker
/// client asks with the tag of its last answer and reuses that answer on a 304.
final class PolledListETagTests: XCTestCase {
    func testPendingListsAnswer304WhileUnchangedAndANewTagAfterAChange() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)
            let object = try await b.createObject(stackID: stack, yaml: "a: 1")["id"]!.stringValue!
            let lists: [(path: String, add: () async throws -> Void)] = [
                (
                    "agents/\(agent.id)/work-orders/pending",
                    {
                        let r = try await b.post(
                            "work-orders", b.adminPAK, #"{"work_type":"build","yaml_content":"a: 1","target_agent_ids":["\#(agent.id)"]}"#)
                        XCTAssertEqual(r.status, 201, r.body)
                    }
                ),
                (
                    "agents/\(agent.id)/diagnostics/pending",
                    {
                        let r = try await b.post(
                            "deployment-objects/\(object)/diagnostics", b.adminPAK, #"{"agent_id":"\#(agent.id)","retention_minutes":30}"#)
                        XCTAssertEqual(r.status, 201, r.body)
                    }
                ),
            ]
            for (path, add) in lists {
                let empty = try await b.get(path, agent.pak)
                XCTAssertEqual(empty.status, 200, empty.body)
                XCTAssertEqual(empty.body, "[]")
                let tag = try XCTUnwrap(empty.headers.first(name: "ETag"), path)
                let unchanged = try await b.request(.GET, path, pak: agent.pak, headers: [("If-None-Match", tag)])
                XCTAssertEqual(unchanged.status, 304, path)
                XCTAssertEqual(unchanged.body, "", "a 304 has no body")
                XCTAssertEqual(unchanged.headers.first(name: "ETag"), tag)
                let weak = try await b.request(.GET, path, pak: agent.pak, headers: [("If-None-Match", "\"other\", W/\(tag)")])
                XCTAssertEqual(weak.status, 304, "If-None-Match compares weakly, in a list")

                try await add()
                let changed = try await b.request(.GET, path, pak: agent.pak, headers: [("If-None-Match", tag)])
                XCTAssertEqual(changed.status, 200, path)
                XCTAssertEqual(changed.json.arrayValue?.count, 1, changed.body)
                XCTAssertNotEqual(changed.headers.first(name: "ETag"), tag)
            }

            // The agent's client: the first poll is a 200, the next ones 304s answered from its last list.
            let client = BrokerClient(baseURL: b.baseURL, pak: agent.pak)
            let first = try await client.pendingWorkOrders(agentID: agent.id)
            XCTAssertEqual(first.count, 1)
            XCTAssertEqual(client.polled.notModified, 0)
            let again = try await client.pendingWorkOrders(agentID: agent.id)
            XCTAssertEqual(again.map(\.id), first.map(\.id))
            XCTAssertEqual(client.polled.notModified, 1)
            let diagnostics = try await client.pendingDiagnostics(agentID: agent.id)
            XCTAssertEqual(diagnostics.count, 1)
            _ = try await client.pendingDiagnostics(agentID: agent.id)
            XCTAssertEqual(client.polled.notModified, 2)
        }
    }
}
