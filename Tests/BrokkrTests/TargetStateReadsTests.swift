import BrokkrCommon
import BrokkrQueue
import Foundation
import NIOConcurrencyHelpers
import PostgresNIO
import XCTest

@testable import BrokkrAPI

/// How target-state polls read: versions of concurrent polls in shared lookups, never stale, and a
/// document built once per version.
final class TargetStateReadsTests: XCTestCase {
    /// The real database, counting the lookups that reach it.
    struct CountingExecutor: SQLExecutor {
        let database: Database
        let lookups = NIOLockedValueBox(0)

        func rows(_ query: PostgresQuery) async throws -> PostgresRowSequence { try await database.rows(query) }
        func prepared<S: PostgresPreparedStatement>(_ statement: S) async throws -> [S.Row] {
            lookups.withLockedValue { $0 += 1 }
            return try await database.prepared(statement)
        }
        func withTransaction<T: Sendable>(_ body: (Transaction) async throws -> T) async throws -> T {
            try await database.withTransaction(body)
        }
    }

    func testConcurrentPollsShareLookupsAndEachGetsItsAgentsVersion() async throws {
        try await TestBroker.run { b in
            // Agents with different versions: the i-th agent gets i label writes (each bumps it).
            var agents: [(id: UUID, version: Int64)] = []
            for i in 0..<8 {
                let agent = try await b.createAgent()
                for n in 0..<i { _ = try await b.request(.POST, "agents/\(agent.id)/labels", pak: b.adminPAK, json: "\"l\(n)\"") }
                let id = try XCTUnwrap(UUID(uuidString: agent.id))
                agents.append((id, try await TargetStateVersionStore(sql: b.database).version(agentID: id)))
            }
            XCTAssertEqual(Set(agents.map(\.version)).count, agents.count, "each agent has its own version")

            let known = agents
            let executor = CountingExecutor(database: b.database)
            let reader = TargetStateVersionReader(sql: executor)
            let polls = 400
            let answers = try await withThrowingTaskGroup(of: (Int, Int64).self) { group in
                for poll in 0..<polls {
                    group.addTask { (poll, try await reader.version(agentID: known[poll % known.count].id)) }
                }
                return try await group.reduce(into: [Int: Int64]()) { $0[$1.0] = $1.1 }
            }
            for poll in 0..<polls { XCTAssertEqual(answers[poll], agents[poll % agents.count].version, "poll \(poll)") }
            let lookups = executor.lookups.withLockedValue { $0 }
            XCTAssertGreaterThan(lookups, 0)
            XCTAssertLessThan(lookups, polls, "concurrent polls share lookups")

            // An unknown agent has version 0; one poll alone still gets its answer.
            let unknown = try await reader.version(agentID: UUID())
            XCTAssertEqual(unknown, 0)
        }
    }

    func testAReadAfterACommitSeesIt() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            let id = try XCTUnwrap(UUID(uuidString: agent.id))
            let reader = TargetStateVersionReader(sql: b.database)
            var last = try await reader.version(agentID: id)
            for n in 0..<20 {
                // Polls for the agent keep the reader busy while the writes commit.
                async let busy = withThrowingTaskGroup(of: Int64.self) { group in
                    for _ in 0..<20 { group.addTask { try await reader.version(agentID: id) } }
                    return try await group.reduce(0) { max($0, $1) }
                }
                _ = try await b.request(.POST, "agents/\(agent.id)/labels", pak: b.adminPAK, json: "\"l\(n)\"")
                let after = try await reader.version(agentID: id)
                XCTAssertGreaterThan(after, last, "write \(n) committed before the read started")
                last = after
                _ = try await busy
            }
        }
    }

    /// The served document follows every change of the agent's version, in both modes, and a document
    /// built at one version is not replaced by an older one.
    func testServedDocumentsFollowEveryChange() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)
            func ids(_ query: String) async throws -> [String] {
                let r = try await TargetStateETagTests.get(b, agent, query)
                XCTAssertEqual(r.status, 200, r.body)
                return r.json.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            }
            let none = try await ids("?mode=full")
            XCTAssertEqual(none, [])
            _ = try await b.post("agents/\(agent.id)/targets", b.adminPAK, #"{"stack_id":"\#(stack)"}"#)
            let first = try await b.createObject(stackID: stack, yaml: "kind: ConfigMap")["id"]?.stringValue ?? ""
            let afterFirst = (try await ids(""), try await ids("?mode=full"))
            XCTAssertEqual(afterFirst.0, [first])
            XCTAssertEqual(afterFirst.1, [first])

            let second = try await b.createObject(stackID: stack, yaml: "kind: Secret")["id"]?.stringValue ?? ""
            let afterSecond = (try await ids(""), try await ids("?mode=full"))
            XCTAssertEqual(afterSecond.0, [second], "the newest object of the stack replaces the older one")
            XCTAssertEqual(afterSecond.1, [second])

            _ = try await b.post(
                "agents/\(agent.id)/events", agent.pak,
                #"{"agent_id":"\#(agent.id)","deployment_object_id":"\#(second)","event_type":"DEPLOY","status":"SUCCESS","message":null}"#)
            let afterEvent = (try await ids(""), try await ids("?mode=full"))
            XCTAssertEqual(afterEvent.0, [], "incremental leaves out what the agent deployed")
            XCTAssertEqual(afterEvent.1, [second])

            _ = try await b.delete("agents/\(agent.id)/targets/\(stack)", b.adminPAK)
            let afterUntarget = (try await ids(""), try await ids("?mode=full"))
            XCTAssertEqual(afterUntarget.0, [])
            XCTAssertEqual(afterUntarget.1, [])
        }
    }

    func testTheDocumentCacheKeepsTheNewestVersionWithinItsBound() {
        let documents = TargetStateDocuments(maxBytes: 400)
        let agent = UUID()
        documents.store(ByteBuffer(string: "[2]"), agentID: agent, full: false, version: 2)
        documents.store(ByteBuffer(string: "[1]"), agentID: agent, full: false, version: 1)
        XCTAssertEqual(
            documents.body(agentID: agent, full: false, version: 2).map { String(buffer: $0) }, "[2]", "an older build does not replace it")
        XCTAssertNil(documents.body(agentID: agent, full: false, version: 1))
        XCTAssertNil(documents.body(agentID: agent, full: true, version: 2), "modes are held apart")

        let others = (0..<20).map { _ in UUID() }
        for other in others { documents.store(ByteBuffer(repeating: 0x20, count: 50), agentID: other, full: false, version: 1) }
        let held = others.filter { documents.body(agentID: $0, full: false, version: 1) != nil }.count
        XCTAssertGreaterThan(held, 0)
        XCTAssertLessThanOrEqual(held * 50, 400, "the bound holds")
        XCTAssertEqual(documents.body(agentID: others.last!, full: false, version: 1)?.readableBytes, 50, "the newest entry is held")

        // Replacing an agent's document with newer versions while the cache is full keeps the bound.
        for version in Int64(2)...40 {
            for other in others.prefix(3) { documents.store(ByteBuffer(repeating: 0x20, count: 50), agentID: other, full: false, version: version) }
        }
        let total = others.reduce(0) { sum, other in
            sum + (1...40).compactMap { documents.body(agentID: other, full: false, version: Int64($0))?.readableBytes }.reduce(0, +)
        }
        XCTAssertLessThanOrEqual(total, 400)
        XCTAssertNotNil(documents.body(agentID: others[2], full: false, version: 40), "the entry stored last is held")

        // A document is served again for at most maxAge.
        let expiring = TargetStateDocuments(maxBytes: 400, maxAge: .zero)
        expiring.store(ByteBuffer(string: "[]"), agentID: agent, full: false, version: 1)
        XCTAssertNil(expiring.body(agentID: agent, full: false, version: 1))
    }
}
