import BrokkrCommon
import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceLifecycle

/// Carries `POST /admin/config/reload` to every process of the tenant: the API replica that serves it
/// reloads and NOTIFYs `brokkr_config_reload` (in the transaction of its audit entry, on the tenant's
/// channel, `TenantChannel`); every API replica and worker of that tenant listens and reloads its own
/// settings (config file and environment) when told. SIGHUP still reloads just the one process.
public struct ConfigReloadListener: Service {
    public static let channel = "brokkr_config_reload"

    let listener: NotificationListener
    let config: ReloadableSettings
    let logger: Logger

    public init(database: Database, config: ReloadableSettings, logger: Logger) {
        listener = NotificationListener(database: database, channel: Self.channel, logger: logger)
        (self.config, self.logger) = (config, logger)
    }

    /// Tells every other listening process to reload; part of the caller's transaction. `sender` is the
    /// settings holder that has just reloaded: its own listener skips the notification, so a file changed
    /// again in between is reported by the next request, not silently taken in by the listener.
    public static func notifyAll(from sender: ReloadableSettings, on sql: any SQLExecutor) async throws {
        _ = try await sql.rows("SELECT pg_notify(\(unescaped: TenantChannel.sql(channel)), \(sender.instanceID))")
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            // A request sent while the connection was down is lost: every reconnect (not the first
            // connect: the settings were just read) reloads too, quietly unless something changed.
            let connects = NIOLockedValueBox(0)
            await listener.run(
                onListening: {
                    let count = connects.withLockedValue {
                        $0 += 1
                        return $0
                    }
                    if count > 1 { reload(reason: "on reconnecting to the reload channel", quietWithoutChanges: true) }
                }
            ) { sender in
                guard sender != config.instanceID else { return }
                reload(reason: "requested", quietWithoutChanges: false)
            }
        }
    }

    func reload(reason: String, quietWithoutChanges: Bool) {
        do {
            let changes = try config.reload()
            if !changes.isEmpty || !quietWithoutChanges { logger.info("Configuration reload \(reason): \(ReloadableSettings.describe(changes))") }
        } catch {
            logger.error("Configuration reload \(reason) failed (the running settings stay): \(error)")
        }
    }
}
