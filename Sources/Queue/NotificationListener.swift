import Foundation
import Logging
import PostgresNIO

/// One LISTEN connection on a channel (the tenant's, `TenantChannel`), outside the pool, reconnected
/// after errors until the calling task is cancelled. `onListening` runs each time the LISTEN is
/// (re)established — notifications sent while it was down are lost, so callers catch up there;
/// `onLost` runs when the connection fails.
public struct NotificationListener: Sendable {
    let database: Database
    let channel: String
    let logger: Logger

    public init(database: Database, channel: String, logger: Logger) {
        self.database = database
        self.channel = channel
        self.logger = logger
    }

    public func run(
        onListening: @Sendable () async -> Void = {}, onLost: @Sendable () async -> Void = {},
        onNotification: @Sendable (String) async -> Void
    ) async {
        while !Task.isCancelled {
            do {
                let connection = try await database.makeListenConnection()
                do {
                    let scoped = try await TenantChannel.listened(channel, schema: database.schema, on: connection, logger: logger)
                    try await connection.listen(on: scoped) { notifications in
                        await onListening()
                        for try await notification in notifications { await onNotification(notification.payload) }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                logger.warning("LISTEN \(channel) failed, reconnecting: \(error)")
                await onLost()
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }
}
