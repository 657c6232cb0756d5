import BrokkrQueue
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// The API process's one LISTEN connection on `brokkr_target_state` (the database triggers NOTIFY
/// the agent id on commit, from whichever replica wrote), fanned out to `TargetStateWaiters`.
/// Runs as a service of the HTTP application; reconnects after errors.
public struct TargetStateListener: Service {
    public static let channel = "brokkr_target_state"

    let database: Database
    let waiters: TargetStateWaiters
    let logger: Logger

    public func run() async throws {
        await waiters.reopen()
        await cancelWhenGracefulShutdown {
            await listen()
        }
        await waiters.close()
    }

    private func listen() async {
        // Changes made while not listening (at start, after a lost connection) wake every waiter.
        await NotificationListener(database: database, channel: Self.channel, logger: logger).run(
            onListening: { await waiters.notifyAll() }, onLost: { await waiters.notifyAll() }
        ) { payload in
            if let agentID = UUID(uuidString: payload) { await waiters.notify(agentID) }
        }
    }
}
