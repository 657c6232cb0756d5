import BrokkrCommon
import BrokkrQueue
import Foundation
import NIOConcurrencyHelpers
import PostgresNIO
import XCTest

/// Two transactions that together change an agent's target state, neither seeing the other while
/// uncommitted (READ COMMITTED): an agent that polls between their commits must not keep a tag whose
/// document misses the second one's change (migration 10, `targetStateWriteLock`).
final class TargetStateConcurrentWritesTests: XCTestCase {
    /// A fresh agent and stack, and a label (or annotation value) no other race uses.
    struct Subjects: Sendable {
        let agent: UUID
        let stack: UUID
        let label: String
        var agentPath: String { "agents/\(agent.lowercasedString)" }
        var stackPath: String { "stacks/\(stack.lowercasedString)" }
    }

    /// `first` commits while `second` is running; `setup` prepares the side neither writes.
    struct Race: Sendable {
        let name: String
        let setup: @Sendable (TestBroker, Subjects) async throws -> Void
        let first: @Sendable (Subjects) -> PostgresQuery
        let second: @Sendable (Subjects) -> PostgresQuery
    }

    @Sendable static func object(_ x: Subjects) -> PostgresQuery {
        "INSERT INTO deployment_objects (stack_id, yaml_content) VALUES (\(x.stack), 'kind: ConfigMap')"
    }

    static let races: [Race] = [
        Race(
            name: "a target, then an object", setup: { _, _ in },
            first: { x in "INSERT INTO agent_targets (agent_id, stack_id) VALUES (\(x.agent), \(x.stack))" }, second: object),
        Race(
            name: "an agent label, then an object",
            setup: { b, x in _ = try await b.post("\(x.stackPath)/labels", b.adminPAK, "\"\(x.label)\"") },
            first: { x in "INSERT INTO agent_labels (agent_id, label) VALUES (\(x.agent), \(x.label))" }, second: object),
        Race(
            name: "a stack label, then an object",
            setup: { b, x in _ = try await b.post("\(x.agentPath)/labels", b.adminPAK, "\"\(x.label)\"") },
            first: { x in "INSERT INTO stack_labels (stack_id, label) VALUES (\(x.stack), \(x.label))" }, second: object),
        Race(
            name: "an agent label, then the stack's",
            setup: { b, x in _ = try await b.createObject(stackID: x.stack.lowercasedString, yaml: "kind: Secret") },
            first: { x in "INSERT INTO agent_labels (agent_id, label) VALUES (\(x.agent), \(x.label))" },
            second: { x in "INSERT INTO stack_labels (stack_id, label) VALUES (\(x.stack), \(x.label))" }),
        Race(
            name: "an agent annotation, then the stack's",
            setup: { b, x in _ = try await b.createObject(stackID: x.stack.lowercasedString, yaml: "kind: Secret") },
            first: { x in "INSERT INTO agent_annotations (agent_id, key, value) VALUES (\(x.agent), 'team', \(x.label))" },
            second: { x in "INSERT INTO stack_annotations (stack_id, key, value) VALUES (\(x.stack), 'team', \(x.label))" }),
        Race(
            name: "a stack annotation, then an object",
            setup: { b, x in _ = try await b.post("\(x.agentPath)/annotations", b.adminPAK, #"{"key":"team","value":"\#(x.label)"}"#) },
            first: { x in "INSERT INTO stack_annotations (stack_id, key, value) VALUES (\(x.stack), 'team', \(x.label))" }, second: object),
    ]

    func testAnAgentPollingBetweenTwoConcurrentCommitsSeesBoth() async throws {
        try await TestBroker.run { b in
            let generator = try await b.createGenerator()
            for (n, race) in Self.races.enumerated() {
                let agent = try await b.createAgent()
                let stack = try await b.createStack(generatorID: generator.id)
                let x = Subjects(agent: try XCTUnwrap(UUID(uuidString: agent.id)), stack: try XCTUnwrap(UUID(uuidString: stack)), label: "race-\(n)")
                try await race.setup(b, x)

                let first = HeldTransaction(b.database, race.first(x))
                try await first.written()
                let second = HeldTransaction(b.database, race.second(x))
                try await second.startedOrWaiting(on: b.database)
                try await first.commit()
                // The agent polls between the two commits and keeps the tag it got.
                let between = try await TargetStateETagTests.get(b, agent)
                try await second.written()
                try await second.commit()

                let after = try await TargetStateETagTests.get(b, agent, ifNoneMatch: TargetStateETagTests.etag(between))
                XCTAssertEqual(after.status, 200, "\(race.name): the second commit changes the agent's target state")
                let objects = { (r: TestBroker.HTTPResult) in r.json.arrayValue?.count ?? -1 }
                XCTAssertGreaterThan(objects(after), objects(between), "\(race.name): \(after.body)")
            }
        }
    }
}

/// A transaction, on a task of its own, that runs one statement and holds it uncommitted until
/// `commit()`.
final class HeldTransaction: Sendable {
    private let task: Task<Void, any Error>
    private let backend: AsyncStream<Int32>
    private let wrote = NIOLockedValueBox(false)
    private let release: AsyncStream<Void>.Continuation

    init(_ database: Database, _ statement: PostgresQuery) {
        let (backend, backendContinuation) = AsyncStream<Int32>.makeStream()
        let (released, release) = AsyncStream<Void>.makeStream()
        self.backend = backend
        self.release = release
        task = Task { [wrote] in
            defer { backendContinuation.finish() }
            try await database.withTransaction { tx in
                backendContinuation.yield(try await tx.firstValue("SELECT pg_backend_pid()", as: Int32.self) ?? 0)
                _ = try await tx.rows(statement).collect()
                wrote.withLockedValue { $0 = true }
                for await _ in released { break }
            }
        }
    }

    /// Returns once the statement has run (its row triggers included) or is waiting for a lock:
    /// either way it began before whatever the caller does next.
    func startedOrWaiting(on database: Database) async throws {
        var pids = backend.makeAsyncIterator()
        guard let pid = await pids.next() else { return try await task.value }
        for _ in 0..<1000 {
            if wrote.withLockedValue({ $0 }) { return }
            let waitsForLock = try await database.firstValue(
                "SELECT coalesce(wait_event_type = 'Lock', false) FROM pg_stat_activity WHERE pid = \(pid)", as: Bool.self)
            if waitsForLock == true { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        XCTFail("the statement neither ran nor waited for a lock")
    }

    /// Returns once the statement has run; fails the test if it has not within 10 s.
    func written() async throws {
        for _ in 0..<2000 {
            if wrote.withLockedValue({ $0 }) { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        XCTFail("the statement did not run")
    }

    func commit() async throws {
        release.yield()
        release.finish()
        try await task.value
    }
}
