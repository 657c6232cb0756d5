import BrokkrCommon
import BrokkrRuntime
import Foundation
import Hummingbird
import Logging

/// `brokkr-agent start`: finds itself at the broker, then runs independent tasks — heartbeat,
/// target-state poll with reconciliation, health reports, diagnostics and agent-delivered webhooks,
/// and work orders, each a service of one group — so a slow apply or build never delays a heartbeat.
/// On SIGTERM the object being applied is finished first (`ShutdownGate`). Serves `/healthz`, `/readyz`,
/// `/health` and `/metrics` on `agent.health_port`.
public enum AgentRunner {
    /// How long a shutdown waits for the deployment object in flight: within Kubernetes' default
    /// 30 s termination grace, and short enough that the process exits within 5 s of SIGTERM.
    static let shutdownGrace: Duration = .milliseconds(3500)

    public static func run(settings: Settings, logger: Logger) async throws {
        guard !settings.agent.pak.isEmpty else { throw ConfigurationError("agent.pak is required (BROKKR__AGENT__PAK)") }
        let broker = BrokerClient(baseURL: settings.agent.brokerURL, pak: settings.agent.pak)
        let metrics = AgentMetrics()
        let kube = try KubeConfig.load(kubeconfigPath: settings.agent.kubeconfigPath, context: settings.agent.kubeContext).makeClient(
            metrics: metrics)
        let identity = AgentIdentity()
        let applied = AppliedObjects()
        let gate = ShutdownGate()
        let app = Application(
            router: AgentHTTP.router(kube: kube, identity: identity, metrics: metrics),
            configuration: .init(address: .hostname("0.0.0.0", port: settings.agent.healthPort)), logger: logger)

        /// Runs `body` as soon as the agent is known and ACTIVE, then again after `pause()` (chosen after
        /// each round) while it stays so. Until then it checks the shared identity every second (no broker
        /// call), so a new or newly activated agent starts work at once rather than one interval later.
        @Sendable func repeatedly(pause: @escaping @Sendable () -> Duration, _ body: @escaping @Sendable (String) async throws -> Void) async throws {
            while !Task.isCancelled {
                guard let (id, active) = identity.current, active else {
                    try await Task.sleep(for: .seconds(1))
                    continue
                }
                do { try await body(id) } catch { logger.warning("\(error)") }
                try await Task.sleep(for: pause())
            }
        }
        /// Runs `body` at once and then every `interval` while the agent is ACTIVE.
        @Sendable func every(_ interval: Duration, _ body: @escaping @Sendable (String) async throws -> Void) async throws {
            try await repeatedly(pause: { interval }, body)
        }

        // One service group; on SIGTERM the tasks stop in reverse order: the periodic ones at once, the
        // target-state loop once the object being applied is finished and reported (for at most
        // `shutdownGrace`), then the heartbeat and the health server, and the trace exporter last.
        let tasks: [LoopService] = [
            LoopService("heartbeat") {
                try await heartbeat(settings: settings, broker: broker, identity: identity, metrics: metrics, logger: logger)
            },
            // The target-state poll. A broker that sends an ETag holds a conditional poll open until
            // something changes (up to the polling interval), so the next poll follows shortly; without
            // one, polls are `agent.polling_interval` apart as they always were. The first round rebuilds
            // the applied set from the cluster; every `agent.resync_interval` (and at start) a round also
            // re-applies the whole current state.
            LoopService("target-state", drain: { await gate.drain(grace: shutdownGrace) }) {
                let etag = TargetStateETag()
                let retries = ApplyRetries(
                    initial: .seconds(settings.agent.applyRetryInitialSeconds),
                    maximum: .seconds(settings.agent.applyRetryMaxSeconds))
                let resync = ResyncSchedule(interval: settings.agent.resyncInterval)
                let interval = Duration.seconds(settings.agent.pollingInterval)
                try await repeatedly(pause: { etag.value != nil && identity.current?.1 == true ? min(interval, .seconds(1)) : interval }) { id in
                    let poller = DeploymentPoller(
                        broker: broker,
                        reconciler: Reconciler(kube: kube, agentID: id, logger: logger, concurrency: settings.agent.applyConcurrency),
                        agentID: id,
                        eventRetries: settings.agent.maxEventMessageRetries,
                        eventRetryDelay: .seconds(settings.agent.eventMessageRetryDelay), logger: logger, applied: applied,
                        etag: etag, longPollSeconds: settings.agent.pollingInterval, retries: retries, gate: gate)
                    if let restored = try await applied.restoreOnce(from: kube, agentID: id) {
                        logger.info("Found the objects of \(restored) stack(s) this agent applied before")
                    }
                    let started = ContinuousClock.now
                    do {
                        _ = try await poller.pollOnce()
                        metrics.recordPoll(success: true, seconds: (ContinuousClock.now - started).seconds)
                    } catch {
                        metrics.recordPoll(success: false, seconds: (ContinuousClock.now - started).seconds)
                        throw error
                    }
                    if resync.isDue() {
                        // Rescheduled whatever the outcome: a failing resync must not repeat every round.
                        defer { resync.done() }
                        try await poller.resync()
                    }
                }
            },
            // Diagnostics requests and agent-delivered webhooks are looked for every 10 s, each in its own
            // task: a slow webhook receiver never delays diagnostics, and the reverse.
            LoopService("diagnostics") {
                try await every(.seconds(10)) { id in
                    try await DiagnosticsCollector(broker: broker, kube: kube, agentID: id, logger: logger).runOnce()
                }
            },
            LoopService("agent webhooks") {
                try await every(.seconds(10)) { id in
                    try await AgentWebhookDeliverer(broker: broker, agentID: id, logger: logger).runOnce()
                }
            },
            // Work orders get their own task: a long build never delays deployments or heartbeats.
            LoopService("work orders") {
                try await every(.seconds(settings.agent.pollingInterval)) { id in
                    try await WorkOrderRunner(broker: broker, kube: kube, agentID: id, logger: logger).runOnce()
                }
            },
        ]
        var services: [ProcessServices.Entry] = [.init(service: app)] + tasks.map { .init(service: $0) }
        if settings.agent.deploymentHealthEnabled {
            services.append(
                .init(
                    service: LoopService("deployment health") {
                        try await every(.seconds(settings.agent.deploymentHealthInterval)) { id in
                            try await HealthReporter(broker: broker, checker: HealthChecker(kube: kube), applied: applied, agentID: id).reportOnce()
                        }
                    }))
        }
        try await ProcessServices.run(services, telemetry: settings.telemetry.agent, logger: logger)
    }

    /// Finds the agent at the broker (re-read every round: the status decides whether the other tasks
    /// work) and heartbeats; gives up at start-up after `agent.max_retries` failures.
    static func heartbeat(settings: Settings, broker: BrokerClient, identity: AgentIdentity, metrics: AgentMetrics, logger: Logger) async throws {
        var attempts = 0
        while !Task.isCancelled {
            do {
                let me = try await broker.findSelf(name: settings.agent.agentName, cluster: settings.agent.clusterName)
                let id = me.id.lowercasedString
                if identity.current == nil { logger.info("Registered with broker as agent \(id)") }
                identity.set(id: id, active: me.status == "ACTIVE")
                try await broker.heartbeat(agentID: id)
                metrics.recordHeartbeat()
                metrics.markSuccessfulPoll()
                identity.heartbeatSucceeded()
                attempts = 0
            } catch {
                attempts += 1
                identity.heartbeatFailed()
                logger.warning("Broker unreachable or refused (attempt \(attempts)): \(error)")
                if identity.current == nil, attempts > settings.agent.maxRetries {
                    throw ConfigurationError(
                        "gave up finding this agent at the broker \(settings.agent.brokerURL) after \(attempts) attempts "
                            + "(agent.max_retries is \(settings.agent.maxRetries)): \(error)")
                }
            }
            try await Task.sleep(for: .seconds(settings.agent.pollingInterval))
        }
    }
}

/// The agent's id, whether the broker says it is ACTIVE, and the broker connection state, shared by
/// the tasks and the health endpoints.
public final class AgentIdentity: @unchecked Sendable {
    private let lock = NSLock()
    private var id: String?
    private var active = false
    private var brokerConnected = true
    private var lastHeartbeat: Date?
    public let started = Date()

    public init() {}

    func set(id: String?, active: Bool) {
        lock.withLock {
            self.id = id
            self.active = active
        }
    }
    var current: (String, Bool)? { lock.withLock { id.map { ($0, active) } } }
    func heartbeatSucceeded() {
        lock.withLock {
            brokerConnected = true
            lastHeartbeat = Date()
        }
    }
    func heartbeatFailed() { lock.withLock { brokerConnected = false } }
    var broker: (connected: Bool, lastHeartbeat: Date?) { lock.withLock { (brokerConnected, lastHeartbeat) } }
}
