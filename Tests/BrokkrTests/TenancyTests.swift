import BrokkrAPI
import BrokkrCommon
import BrokkrQueue
import Foundation
import NIOConcurrencyHelpers
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

    /// What one tenant's LISTEN connection received, in order.
    final class Received: Sendable {
        let payloads = NIOLockedValueBox<[String]>([])
        let listening = NIOLockedValueBox(false)
        var all: [String] { payloads.withLockedValue { $0 } }
    }

    static func listen(_ database: Database, on channel: String, into received: Received) -> Task<Void, Never> {
        Task {
            await NotificationListener(database: database, channel: channel, logger: TestDatabase.logger).run(
                onListening: { received.listening.withLockedValue { $0 = true } }
            ) { payload in received.payloads.withLockedValue { $0.append(payload) } }
        }
    }

    /// NOTIFY channels are per database: each tenant's must carry only its own notifications. Tenant A's
    /// are committed first, so one leaking into B would reach B's listener before B's own.
    func testNotificationsReachOnlyTheirOwnTenant() async throws {
        try await TestBroker.run { a in
            try await TestBroker.run { b in
                var received: [String: Received] = [:]
                var listeners: [Task<Void, Never>] = []
                for (tenant, broker) in [("a", a), ("b", b)] {
                    for channel in [ConfigReloadListener.channel, TargetStateListener.channel] {
                        let into = Received()
                        received[tenant + channel] = into
                        listeners.append(Self.listen(broker.database, on: channel, into: into))
                    }
                }
                defer { for listener in listeners { listener.cancel() } }  // on failure; awaited below otherwise
                let allListening = try await eventually { received.values.allSatisfy { $0.listening.withLockedValue { $0 } } }
                XCTAssertTrue(allListening)

                var sent: [String: (reload: String, agent: String)] = [:]
                for (tenant, broker) in [("a", a), ("b", b)] {
                    let settings = ReloadableSettings(broker.settings)
                    try await broker.database.withTransaction { tx in try await ConfigReloadListener.notifyAll(from: settings, on: tx) }
                    let agent = try await broker.createAgent()
                    // A label bumps the agent's target-state version: a NOTIFY of its id.
                    _ = try await broker.request(.POST, "agents/\(agent.id)/labels", pak: broker.adminPAK, json: #""web""#)
                    sent[tenant] = (settings.instanceID, agent.id)
                }
                let arrived = try await eventually {
                    received.values.allSatisfy { !$0.all.isEmpty }
                }
                XCTAssertTrue(arrived, "every listener got its tenant's notification")
                for tenant in ["a", "b"] {
                    XCTAssertEqual(received[tenant + ConfigReloadListener.channel]?.all, [sent[tenant]!.reload], "tenant \(tenant)'s reloads")
                    XCTAssertEqual(
                        Set(received[tenant + TargetStateListener.channel]?.all ?? []), [sent[tenant]!.agent], "tenant \(tenant)'s target states")
                }
                for listener in listeners {
                    listener.cancel()
                    await listener.value  // its connection is closed before the schema is dropped
                }
            }
        }
    }

    /// A worker may start listening before the API has created its tenant's schema. Until then
    /// `current_schema()` names `public`: the channel must come from the configured schema instead.
    func testAListenerStartedBeforeItsSchemaExistsHearsItsTenant() async throws {
        let schema = TestDatabase.uniqueSchema()
        let settings = try TestDatabase.settings(schema: schema)
        try await Database.withDatabase(settings, poolSize: 2, logger: TestDatabase.logger) { database in
            let received = Received()
            let listener = Self.listen(database, on: ConfigReloadListener.channel, into: received)
            let listening = try await eventually { received.listening.withLockedValue { $0 } }
            XCTAssertTrue(listening)
            try await Migrator.migrate(database)  // creates the schema
            let sender = ReloadableSettings(settings)
            try await database.withTransaction { tx in try await ConfigReloadListener.notifyAll(from: sender, on: tx) }
            let arrived = try await eventually(.seconds(10)) { !received.all.isEmpty }
            XCTAssertTrue(arrived, "the reload sent once the schema exists reached the listener started before it")
            XCTAssertEqual(received.all, [sender.instanceID])
            listener.cancel()
            await listener.value
        }
        try await TestDatabase.dropSchema(schema)
    }
}
