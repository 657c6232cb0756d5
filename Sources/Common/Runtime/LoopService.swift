import ServiceLifecycle

/// A long-running loop as a service. On graceful shutdown it first lets `drain` finish what is in
/// flight (a claimed batch, the object being applied), then cancels the loop and returns normally, so
/// a SIGTERM ends the process with status 0. An error thrown by the loop itself ends the group.
public struct LoopService: Service, CustomStringConvertible {
    public let description: String
    let loop: @Sendable () async throws -> Void
    let drain: @Sendable () async -> Void

    public init(_ name: String, drain: @escaping @Sendable () async -> Void = {}, loop: @escaping @Sendable () async throws -> Void) {
        self.description = name
        self.loop = loop
        self.drain = drain
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await loop()
                return false
            }
            group.addTask {
                try await gracefulShutdown()
                await drain()
                return true
            }
            do {
                _ = try await group.next()
            } catch is CancellationError {
                // The loop ended because the group was cancelled: nothing failed.
            }
            group.cancelAll()
            // The loop ends on cancellation; what it throws then is the cancellation, not a failure.
            while (try? await group.next()) != nil {}
        }
    }
}
