import BrokkrCommon
import Foundation
import XCTest

/// Conditional and long-polled GET target-state: the ETag follows a per-agent version that database
/// triggers bump on every write that can change the agent's target state.
final class TargetStateETagTests: XCTestCase {
    static func path(_ agent: TestBroker.Created, _ query: String = "") -> String { "agents/\(agent.id)/target-state\(query)" }

    static func get(_ b: TestBroker, _ agent: TestBroker.Created, _ query: String = "", ifNoneMatch: String? = nil) async throws
        -> TestBroker.HTTPResult
    {
        try await b.request(.GET, Self.path(agent, query), pak: agent.pak, headers: ifNoneMatch.map { [("If-None-Match", $0)] } ?? [])
    }

    static func etag(_ r: TestBroker.HTTPResult) -> String { r.headers.first(name: "ETag") ?? "" }

    func testMatchingTagAnswers304WithoutABody() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            let first = try await Self.get(b, agent)
            XCTAssertEqual(first.status, 200, first.body)
            XCTAssertEqual(first.json, .array([]))
            let tag = Self.etag(first)
            XCTAssertTrue(tag.hasPrefix("\"") && tag.hasSuffix("-incremental\""), tag)

            let again = try await Self.get(b, agent, ifNoneMatch: tag)
            XCTAssertEqual(again.status, 304)
            XCTAssertEqual(again.body, "")
            XCTAssertEqual(Self.etag(again), tag)
            do {
                let v = try await Self.get(b, agent, ifNoneMatch: "W/\(tag)").status
                XCTAssertEqual(v, 304, "weak comparison")
            }
            do {
                let v = try await Self.get(b, agent, ifNoneMatch: "\"0-nope\", \(tag)").status
                XCTAssertEqual(v, 304, "a list of tags")
            }
            do {
                let v = try await Self.get(b, agent, ifNoneMatch: "\"other\"").status
                XCTAssertEqual(v, 200)
            }

            // The mode is part of the tag: the full document is a different representation.
            let full = try await Self.get(b, agent, "?mode=full", ifNoneMatch: tag)
            XCTAssertEqual(full.status, 200)
            XCTAssertTrue(Self.etag(full).hasSuffix("-full\""), Self.etag(full))
            do {
                let v = try await Self.get(b, agent, "?mode=full", ifNoneMatch: Self.etag(full)).status
                XCTAssertEqual(v, 304)
            }

            do {
                let v = try await Self.get(b, agent, "?wait=soon", ifNoneMatch: tag)
                XCTAssertEqual(v.status, 400)
                XCTAssertEqual(v["code"]?.stringValue, "invalid_parameter")
            }
            do {
                let v = try await Self.get(b, agent, "?wait=-1").status
                XCTAssertEqual(v, 400)
            }
            do {
                let v = try await Self.get(b, agent, "?wait=5").status
                XCTAssertEqual(v, 200, "without If-None-Match there is nothing to wait for")
            }
        }
    }

    func testEveryKindOfWriteChangesTheTag() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            let other = try await b.createAgent()
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)

            /// `write` must turn the current tag stale: 200 with a new tag.
            func assertChanges(
                _ what: String, file: StaticString = #filePath, line: UInt = #line,
                _ write: () async throws -> TestBroker.HTTPResult
            ) async throws {
                let before = Self.etag(try await Self.get(b, agent))
                let written = try await write()
                XCTAssertTrue((200..<300).contains(written.status), "\(what): \(written.status) \(written.body)", file: file, line: line)
                let after = try await Self.get(b, agent, ifNoneMatch: before)
                XCTAssertEqual(after.status, 200, what, file: file, line: line)
                XCTAssertNotEqual(Self.etag(after), before, what, file: file, line: line)
                let unchanged = try await Self.get(b, agent, ifNoneMatch: Self.etag(after))
                XCTAssertEqual(unchanged.status, 304, "\(what): the new tag is current", file: file, line: line)
            }

            try await assertChanges("target added") { try await b.post("agents/\(agent.id)/targets", b.adminPAK, #"{"stack_id":"\#(stack)"}"#) }
            var objectID = ""
            try await assertChanges("deployment object") {
                let r = try await b.post("stacks/\(stack)/deployment-objects", b.adminPAK, #"{"yaml_content":"kind: ConfigMap"}"#)
                objectID = r["id"]?.stringValue ?? ""
                return r
            }
            try await assertChanges("agent event") {
                try await b.post(
                    "agents/\(agent.id)/events", agent.pak,
                    #"{"agent_id":"\#(agent.id)","deployment_object_id":"\#(objectID)","event_type":"DEPLOY","status":"SUCCESS","message":null}"#)
            }
            try await assertChanges("target removed") { try await b.delete("agents/\(agent.id)/targets/\(stack)", b.adminPAK) }
            try await assertChanges("agent label added") { try await b.request(.POST, "agents/\(agent.id)/labels", pak: b.adminPAK, json: #""web""#) }
            try await assertChanges("stack label added") { try await b.request(.POST, "stacks/\(stack)/labels", pak: b.adminPAK, json: #""web""#) }
            try await assertChanges("stack label removed") { try await b.delete("stacks/\(stack)/labels/web", b.adminPAK) }
            try await assertChanges("agent label removed") { try await b.delete("agents/\(agent.id)/labels/web", b.adminPAK) }
            try await assertChanges("agent annotation added") {
                try await b.post("agents/\(agent.id)/annotations", b.adminPAK, #"{"key":"team","value":"web"}"#)
            }
            try await assertChanges("stack annotation added") {
                try await b.post("stacks/\(stack)/annotations", b.adminPAK, #"{"key":"team","value":"web"}"#)
            }
            try await assertChanges("stack annotation removed") { try await b.delete("stacks/\(stack)/annotations/team", b.adminPAK) }
            try await assertChanges("agent annotation removed") { try await b.delete("agents/\(agent.id)/annotations/team", b.adminPAK) }
            _ = try await b.post("agents/\(agent.id)/targets", b.adminPAK, #"{"stack_id":"\#(stack)"}"#)
            try await assertChanges("stack deleted") { try await b.delete("stacks/\(stack)", b.adminPAK) }

            // Writes for other agents and unrelated stacks leave this agent's tag alone.
            let tag = Self.etag(try await Self.get(b, agent))
            let unrelated = try await b.createStack(generatorID: gen.id)
            _ = try await b.post("agents/\(other.id)/targets", b.adminPAK, #"{"stack_id":"\#(unrelated)"}"#)
            _ = try await b.createObject(stackID: unrelated, yaml: "kind: Secret")
            _ = try await b.request(.POST, "stacks/\(unrelated)/labels", pak: b.adminPAK, json: #""db""#)
            do {
                let v = try await Self.get(b, agent, ifNoneMatch: tag).status
                XCTAssertEqual(v, 304)
            }
        }
    }

    func testLongPollAnswersPromptlyAfterAChangeOnAnotherReplica() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)
            _ = try await b.post("agents/\(agent.id)/targets", b.adminPAK, #"{"stack_id":"\#(stack)"}"#)
            let tag = Self.etag(try await Self.get(b, agent))

            try await b.withReplica { replica in
                let started = ContinuousClock.now
                async let polled = Self.get(b, agent, "?wait=30", ifNoneMatch: tag)
                try await Task.sleep(for: .milliseconds(500))
                _ = try await replica.createObject(stackID: stack, yaml: "kind: ConfigMap")
                let r = try await polled
                XCTAssertLessThan(ContinuousClock.now - started, .seconds(5), "woken by the other replica's commit, not the timeout")
                XCTAssertEqual(r.status, 200, r.body)
                XCTAssertEqual(r.json.arrayValue?.count, 1)
                XCTAssertNotEqual(Self.etag(r), tag)

                // And the other way round: a poll on the replica, woken by a write through the first broker.
                let started2 = ContinuousClock.now
                async let polled2 = Self.get(replica, agent, "?wait=30", ifNoneMatch: Self.etag(r))
                try await Task.sleep(for: .milliseconds(500))
                _ = try await b.request(.POST, "agents/\(agent.id)/labels", pak: b.adminPAK, json: #""web""#)
                let r2 = try await polled2
                XCTAssertLessThan(ContinuousClock.now - started2, .seconds(5))
                XCTAssertEqual(r2.status, 200, r2.body)
            }
        }
    }

    func testLongPollTimesOutWith304() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            let tag = Self.etag(try await Self.get(b, agent))
            let started = ContinuousClock.now
            let r = try await Self.get(b, agent, "?wait=1", ifNoneMatch: tag)
            XCTAssertEqual(r.status, 304)
            XCTAssertEqual(Self.etag(r), tag)
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
        }
    }
}
