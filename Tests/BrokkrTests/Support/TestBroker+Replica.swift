import BrokkrAPI
import BrokkrCommon
import BrokkrQueue
import Foundation

extension TestBroker {
    /// A second broker on the same database and schema, as another API replica would be: its own
    /// pool, its own target-state listener, its own HTTP port. Stopped when `body` returns.
    func withReplica(_ body: @Sendable (TestBroker) async throws -> Void) async throws {
        try await Database.withDatabase(settings, poolSize: 4, logger: TestDatabase.logger) { database in
            let services = BrokerServices(database: database, settings: settings, metrics: BrokerMetrics(), logger: TestDatabase.logger)
            let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
            let app = BrokerApplication.makeApplication(services, host: "127.0.0.1", port: 0) { portContinuation.yield($0) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { portContinuation.finish() }
                    try await app.run()
                }
                var iterator = portStream.makeAsyncIterator()
                guard let port = await iterator.next() else {
                    try await group.next()
                    throw TestBrokerError.serverDidNotStart
                }
                let replica = TestBroker(
                    baseURL: "http://127.0.0.1:\(port)", adminPAK: adminPAK, database: database,
                    settings: settings, routeTable: RouteTable(), config: services.config)
                do {
                    try await body(replica)
                } catch {
                    group.cancelAll()
                    throw error
                }
                group.cancelAll()
            }
        }
    }
}
