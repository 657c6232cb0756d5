import BrokkrCommon
import Logging
import ServiceLifecycle

/// The pool is a service of its process's group: started first, stopped last (on graceful shutdown,
/// once the services that use it have stopped).
extension Database: Service {}

extension Database {
    /// The pool for `settings`: `database.url`, `database.schema`, and `poolSize` connections
    /// (default `broker.pool_size`).
    public convenience init(_ settings: Settings, poolSize: Int? = nil, logger: Logger) throws {
        try self.init(url: settings.database.url, schema: settings.database.schema, poolSize: poolSize ?? settings.broker.poolSize, logger: logger)
    }

    /// Opens the pool for `settings`, runs `body` while the pool's service group runs, then shuts the
    /// pool down: for commands and tests that use the database for one piece of work.
    public static func withDatabase<T: Sendable>(
        _ settings: Settings, poolSize: Int? = nil, logger: Logger,
        _ body: (Database) async throws -> T
    ) async throws -> T {
        let database = try Database(settings, poolSize: poolSize, logger: logger)
        let (started, signal) = AsyncStream<Void>.makeStream()
        let group = ServiceGroup(services: [StartSignalling(database: database, signal: signal)], logger: logger)
        async let running: Void = group.run()
        for await _ in started {}  // the pool's run loop is starting: leases will be served
        let result: Result<T, any Error>
        do { result = .success(try await body(database)) } catch { result = .failure(error) }
        await group.triggerGracefulShutdown()
        try await running
        return try result.get()
    }
}

/// The pool as a service that says when its run loop starts.
private struct StartSignalling: Service {
    let database: Database
    let signal: AsyncStream<Void>.Continuation

    func run() async {
        signal.finish()
        await database.run()
    }
}
