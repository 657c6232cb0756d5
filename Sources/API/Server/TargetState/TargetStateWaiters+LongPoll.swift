import Foundation
import ServiceLifecycle

extension TargetStateWaiters {
    /// Long poll: returns the agent's version as soon as it differs from `known`, or the unchanged
    /// version once `timeout` has passed (or the server is shutting down). `currentVersion` is read
    /// after each registration, so a change that commits just before the wait starts is still seen.
    func waitForChange(
        agentID: UUID, from known: Int64, timeout: Duration,
        currentVersion: @Sendable () async throws -> Int64
    ) async throws -> Int64 {
        let deadline = ContinuousClock.now + timeout
        while true {
            guard let token = register(agentID) else { return try await currentVersion() }
            let version: Int64
            do { version = try await currentVersion() } catch {
                remove(agentID, token: token)
                throw error
            }
            if version != known || ContinuousClock.now >= deadline {
                remove(agentID, token: token)
                return version
            }
            // A notification may be for a change this request already saw, or a listener reconnect:
            // loop and re-read rather than trusting it.
            await withGracefulShutdownHandler {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.wait(agentID, token: token) }
                    group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
                    await group.next()
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                Task { await self.close() }
            }
            remove(agentID, token: token)
            if Task.isCancelled { return known }  // the client left (`ClientCloseWatcher`): answer at once
        }
    }
}
