import ArgumentParser
import BrokkrCommon
import BrokkrQueue
import BrokkrRuntime
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
    /// By default a worker sweeps every `workers.poll_interval_seconds` (re-read after every round).
    public func interval(_ settings: Settings) -> Int { settings.workers.pollIntervalSeconds }
    public func shutdown() async {}
    public var tracesItsBatches: Bool { false }
}

/// Runs a worker executable as one service group: the Postgres pool, the migrations, the reload
/// listener, the health server (`/healthz`, `/readyz`, `/metrics` on `workers.health_port`) and, per
/// sweep, its NOTIFY listener and its loop. SIGTERM or SIGINT stops the loops from taking new work,
/// lets a claimed batch finish (for at most `shutdownGrace`), then stops the rest.
public enum WorkerRuntime {
    /// Within Kubernetes' default 30 s termination grace; a webhook batch is bounded by its
    /// subscriptions' timeouts, and a batch cut short is returned to the queue when its lease expires.
    static let shutdownGrace: Duration = .seconds(25)

    public static func run(executable: String, options: WorkerOptions, sweeps: [any WorkerSweep]) async throws {
        try await run(executable: executable, options: options) { _, _ in sweeps }
    }

    /// As above, with sweeps built from the settings; a configuration error thrown by `makeSweeps`
    /// stops the process before it connects anywhere.
    public static func run(
        executable: String, options: WorkerOptions, makeSweeps: (Settings, Logger) throws -> [any WorkerSweep]
    ) async throws {
        let (settings, logger) = try options.configuration.load(label: executable)
        let config = ReloadableSettings(settings)
        let sighup = config.reloadOnSIGHUP { logger.info("\($0)") }
        defer { withExtendedLifetime(sighup) {} }
        let sweeps = try makeSweeps(settings, logger)
        let database = try Database(settings, poolSize: 4, logger: logger)
        let migrations = MigrationGate(database: database)
        let registry = PrometheusCollectorRegistry()
        var services: [ProcessServices.Entry] = [.init(service: database)]
        if options.once {
            services.append(
                ProcessServices.oneShot("sweeps until idle") {
                    try await migrations.migrate()
                    for sweep in sweeps { _ = try await drain(sweep, database, settings, registry) }
                })
        } else {
            services.append(ProcessServices.startup("migrations") { try await migrations.migrate() })
            // One gate for every loop: the first loop told to stop stops them all from taking new work,
            // so the process waits once for whatever batches are in flight, not once per sweep.
            let gate = ShutdownGate()
            services.append(.init(service: ConfigReloadListener(database: database, config: config, logger: logger)))
            services.append(.init(service: healthServer(port: settings.workers.healthPort, database: database, registry: registry, logger: logger)))
            for sweep in sweeps {
                let waker = QueueWaker(
                    database: database, channel: sweep.channel ?? "", pollInterval: .seconds(settings.workers.pollIntervalSeconds))
                if sweep.channel != nil { services.append(.init(service: waker)) }
                services.append(.init(service: loop(sweep, database, config, registry, migrations, waker, gate, logger)))
            }
        }
        do {
            try await ProcessServices.run(services, telemetry: settings.telemetry.broker, logger: logger)
        } catch {
            for sweep in sweeps { await sweep.shutdown() }
            throw error
        }
        for sweep in sweeps { await sweep.shutdown() }
    }

    static func healthServer(port: Int, database: Database, registry: PrometheusCollectorRegistry, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        ProbeRoutes.register(
            on: router, notReadyReason: { await database.isReachable() ? nil : "Database unavailable" },
            metrics: { registry.emitToString() })
        return Application(router: router, configuration: .init(address: .hostname("0.0.0.0", port: port)), logger: logger)
    }

    /// Sweeps once the schema is migrated, then whenever woken; intervals and retention settings are
    /// re-read each round, so reloads reach a running worker.
    static func loop(
        _ sweep: any WorkerSweep, _ database: Database, _ config: ReloadableSettings, _ registry: PrometheusCollectorRegistry,
        _ migrations: MigrationGate, _ waker: QueueWaker, _ gate: ShutdownGate, _ logger: Logger
    ) -> LoopService {
        LoopService(sweep.name, drain: { await gate.drain(grace: shutdownGrace) }) {
            try await migrations.wait()
            logger.info("\(sweep.name) started")
            while gate.enter() {
                do {
                    _ = try await drain(sweep, database, config.value, registry, stopping: gate)
                } catch {
                    logger.error("\(sweep.name) failed: \(error)")
                }
                gate.leave()
                await waker.wait(for: .seconds(sweep.interval(config.value)))
            }
            // Another loop's shutdown closed the shared gate: this service still runs until the group
            // tells it to stop (one that returns earlier counts as having failed during the shutdown).
            try await gracefulShutdown()
        }
    }

    /// Runs a sweep until it reports no more work, or until the process is stopping.
    static func drain(
        _ sweep: any WorkerSweep, _ database: Database, _ settings: Settings, _ registry: PrometheusCollectorRegistry,
        stopping gate: ShutdownGate? = nil
    ) async throws -> Int {
        var total = 0
        while !Task.isCancelled && gate?.isStopping != true {
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
    @OptionGroup public var configuration: ConfigOptions
    @Flag(name: .long, help: "Run each sweep until idle once, then exit (for cron jobs and tests).")
    public var once = false
    public init() {}
}
