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
        while !Task.isCancelled {
            do {
                let connection = try await database.makeListenConnection()
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        await waiters.notifyAll()  // changes made while we were not listening
                        for try await notification in notifications {
                            if let agentID = UUID(uuidString: notification.payload) { await waiters.notify(agentID) }
                        }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                logger.warning("LISTEN \(Self.channel) failed, long polls wait out their timeout until reconnected: \(error)")
                await waiters.notifyAll()
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }
}
