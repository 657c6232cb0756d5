import BrokkrCommon
import BrokkrTelemetry
import Logging
import ServiceLifecycle

/// How every Brokkr executable runs: one `ServiceGroup` of its services, gracefully shut down on
/// SIGTERM or SIGINT in reverse order (the work first, the servers and the Postgres pool after it),
/// with the OpenTelemetry exporter, when enabled, started first and so stopped last: the spans of the
/// work finished during the shutdown are sent too.
public enum ProcessServices {
    public typealias Entry = ServiceGroupConfiguration.ServiceConfiguration

    public static func run(_ services: [Entry], telemetry: Settings.Telemetry.Resolved, logger: Logger) async throws {
        var all = services
        if let exporter = try TelemetryExporter.bootstrap(telemetry, logger: logger) {
            all.insert(Entry(service: exporter), at: 0)
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: all, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// A service that runs `body` once and then shuts the group down (a `--once` run); a failure ends
    /// the group with the error, and SIGTERM or SIGINT cancel `body`.
    public static func oneShot(_ name: String, _ body: @escaping @Sendable () async throws -> Void) -> Entry {
        Entry(
            service: OneShot(name: name) {
                do { try await cancelWhenGracefulShutdown(body) } catch is CancellationError {}
            }, successTerminationBehavior: .gracefullyShutdownGroup)
    }

    /// A service that runs `body` once at start (migrations), then waits for the shutdown: a service
    /// that finished early would count as one that stopped unexpectedly during a graceful shutdown.
    public static func startup(_ name: String, _ body: @escaping @Sendable () async throws -> Void) -> Entry {
        Entry(
            service: OneShot(name: name) {
                try await body()
                try? await gracefulShutdown()
            })
    }

    struct OneShot: Service, CustomStringConvertible {
        let name: String
        let body: @Sendable () async throws -> Void
        var description: String { name }
        func run() async throws { try await body() }
    }
}
