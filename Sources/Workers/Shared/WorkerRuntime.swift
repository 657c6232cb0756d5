import ArgumentParser
import BrokkrCommon
import BrokkrQueue
import BrokkrTelemetry
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Tracing

/// One periodic job of a worker executable: a sweep over its table(s), claimed with SKIP LOCKED so
/// any number of copies can run. Returns how many rows it handled (0 means "idle, wait").
public protocol WorkerSweep: Sendable {
    var name: String { get }
    /// NOTIFY channel that wakes the worker early, if any.
    var channel: String? { get }
    /// Seconds to wait between rounds when no notification arrives.
    func interval(_ settings: Settings) -> Int
    func sweep(_ database: Database, settings: Settings) async throws -> Int
    /// Releases what the sweep holds (HTTP clients); called once after the last round.
    func shutdown() async
    /// True when the sweep makes its own batch spans; otherwise the runtime records one per round
    /// that handled rows.
    var tracesItsBatches: Bool { get }
}

extension WorkerSweep {
    public func shutdown() async {}
    public var tracesItsBatches: Bool { false }
}

/// Runs sweeps until SIGTERM/SIGINT, with a health server (`/healthz`, `/readyz`, `/metrics`).
public enum WorkerRuntime {
    public static func run(executable: String, sweeps: [any WorkerSweep], configFile: String?, once: Bool) async throws {
        try await run(executable: executable, configFile: configFile, once: once) { _, _ in sweeps }
    }

    /// As above, with sweeps built from the settings; a configuration error thrown by `makeSweeps`
    /// stops the process before it connects anywhere.
    public static func run(
        executable: String, configFile: String?, once: Bool,
        makeSweeps: (Settings, Logger) throws -> [any WorkerSweep]
    ) async throws {
        let settings = try Settings.load(file: configFile)
        LogSetup.bootstrap(settings, label: executable)
        let logger = Logger(label: executable)
        let config = ReloadableSettings(settings)
        let sighup = config.reloadOnSIGHUP { logger.info("\($0)") }
        defer { withExtendedLifetime(sighup) {} }
        let sweeps = try makeSweeps(settings, logger)
        let telemetry = try TelemetryExporter.bootstrap(settings.telemetry.broker, logger: logger)
        do {
            // The exporter sends its spans once the sweeps have stopped (a claimed batch is finished
            // first), in `--once` runs too.
            try await TelemetryExporter.withExporter(telemetry, logger: logger) {
                try await serve(sweeps, config: config, once: once, logger: logger)
            }
        } catch {
            for sweep in sweeps { await sweep.shutdown() }
            throw error
        }
        for sweep in sweeps { await sweep.shutdown() }
    }

    static func serve(_ sweeps: [any WorkerSweep], config: ReloadableSettings, once: Bool, logger: Logger) async throws {
        let settings = config.value
        let registry = PrometheusCollectorRegistry()
        try await Database.withDatabase(settings, poolSize: 4, logger: logger) { database in
            try await Migrator.migrate(database)
            if once {
                for sweep in sweeps { _ = try await drain(sweep, database, settings, registry) }
                return
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                let router = Router()
                router.get("healthz") { _, _ in "OK" }
                router.get("readyz") { _, _ -> Response in
                    await database.isReachable() ? Response(status: .ok) : Response(status: .serviceUnavailable)
                }
                router.get("metrics") { _, _ -> Response in
                    Response(
                        status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                        body: .init(byteBuffer: .init(string: registry.emitToString())))
                }
                let app = Application(
                    router: router, configuration: .init(address: .hostname("0.0.0.0", port: settings.workers.healthPort)), logger: logger)
                group.addTask { try await app.runService() }
                group.addTask { try await ConfigReloadListener(database: database, config: config, logger: logger).run() }
                for sweep in sweeps {
                    group.addTask { try await loop(sweep, database, config, registry, logger) }
                }
                // The health server returns on SIGTERM/SIGINT; stop the sweeps with it.
                try await group.next()
                group.cancelAll()
            }
        }
    }

    /// Sweeps until cancelled; intervals and retention settings are re-read each round, so SIGHUP
    /// reloads reach a running worker.
    static func loop(
        _ sweep: any WorkerSweep, _ database: Database, _ config: ReloadableSettings,
        _ registry: PrometheusCollectorRegistry, _ logger: Logger
    ) async throws {
        let waker = QueueWaker(
            database: database, channel: sweep.channel ?? "brokkr_unused_\(sweep.name)",
            pollInterval: .seconds(config.value.workers.pollIntervalSeconds))
        if sweep.channel != nil { await waker.start() }
        defer { Task { await waker.stop() } }
        logger.info("\(sweep.name) started")
        while !Task.isCancelled {
            do {
                _ = try await drain(sweep, database, config.value, registry)
            } catch {
                logger.error("\(sweep.name) failed: \(error)")
            }
            await waker.wait(for: .seconds(sweep.interval(config.value)))
        }
    }

    /// Runs a sweep until it reports no more work.
    static func drain(_ sweep: any WorkerSweep, _ database: Database, _ settings: Settings, _ registry: PrometheusCollectorRegistry) async throws
        -> Int
    {
        var total = 0
        while !Task.isCancelled {
            let started = DefaultTracerClock.now
            let handled = try await sweep.sweep(database, settings: settings)
            if handled > 0 && !sweep.tracesItsBatches {
                let span = startSpan("\(sweep.name) batch", at: started, ofKind: .consumer)
                span.attributes["brokkr.batch.size"] = handled
                span.end()
            }
            registry.makeCounter(name: "brokkr_worker_items_total", labels: [("sweep", sweep.name)], help: "Rows handled by worker sweeps").increment(
                by: Int64(handled))
            total += handled
            if handled == 0 { break }
        }
        return total
    }
}

/// Options every worker executable takes.
public struct WorkerOptions: ParsableArguments {
    @Option(name: .long, help: "Path of a TOML config file (default: $BROKKR_CONFIG_FILE).")
    public var config: String?
    @Flag(name: .long, help: "Run each sweep until idle once, then exit (for cron jobs and tests).")
    public var once = false
    public init() {}
}
