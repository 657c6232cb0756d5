import BrokkrCommon
import Logging

extension Database {
    /// Opens the pool for `settings`, runs `body` while the pool is running, then shuts it down.
    public static func withDatabase<T: Sendable>(
        _ settings: Settings, poolSize: Int? = nil, logger: Logger,
        _ body: @Sendable (Database) async throws -> T
    ) async throws -> T {
        let database = try Database(
            url: settings.database.url, schema: settings.database.schema,
            poolSize: poolSize ?? settings.broker.poolSize, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            let (started, signal) = AsyncStream<Void>.makeStream()
            group.addTask {
                signal.finish()
                await database.run()
                return nil
            }
            for await _ in started {}  // the pool's run loop is starting: leases will be served
            defer { group.cancelAll() }
            return try await body(database)
        }
    }
}
