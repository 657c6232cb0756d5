import BrokkrCommon
import Foundation
import Hummingbird
import Logging
import Prometheus

/// `brokkr-agent start`: finds itself at the broker, then runs independent tasks — the heartbeat and
/// the target-state poll with reconciliation — so a slow apply never delays a heartbeat; serves
/// `/healthz`, `/readyz` and `/metrics` on `agent.health_port`.
public enum AgentRunner {
    public static func run(settings: Settings, logger: Logger) async throws {
        guard !settings.agent.pak.isEmpty else { throw ConfigurationError("agent.pak is required (BROKKR__AGENT__PAK)") }
        let broker = BrokerClient(baseURL: settings.agent.brokerURL, pak: settings.agent.pak)
        let registry = PrometheusCollectorRegistry()
        let heartbeats = registry.makeCounter(name: "brokkr_agent_heartbeat_sent_total", help: "Total number of heartbeats sent to broker")
        let lastPoll = registry.makeGauge(name: "brokkr_agent_last_successful_poll_timestamp", help: "Unix timestamp of last successful broker poll")
        let ready = ReadyFlag()
        let identity = AgentIdentity()
        let applied = AppliedObjects()
        let kube = try KubeConfig.load(kubeconfigPath: settings.agent.kubeconfigPath).makeClient()
        let polls = registry.makeCounter(name: "brokkr_agent_poll_requests_total", labels: [("status", "success")],
                                         help: "Total number of broker poll requests")
        let pollErrors = registry.makeCounter(name: "brokkr_agent_poll_requests_total", labels: [("status", "error")],
                                              help: "Total number of broker poll requests")

        let router = Router()
        router.get("healthz") { _, _ in "OK" }
        router.get("readyz") { _, _ -> Response in ready.value ? Response(status: .ok) : Response(status: .serviceUnavailable) }
        router.get("metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: .init(string: registry.emitToString())))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("0.0.0.0", port: settings.agent.healthPort)), logger: logger)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            group.addTask {
                var agentID: String?
                var attempts = 0
                while !Task.isCancelled {
                    do {
                        // Re-read each round: the status (ACTIVE or not) decides whether the poll task works.
                        let me = try await broker.findSelf(name: settings.agent.agentName, cluster: settings.agent.clusterName)
                        if agentID == nil { logger.info("Registered with broker as agent \(me["id"]?.stringValue ?? "?")") }
                        agentID = me["id"]?.stringValue
                        identity.set(id: agentID, active: me["status"]?.stringValue == "ACTIVE")
                        if let agentID {
                            try await broker.heartbeat(agentID: agentID)
                            heartbeats.increment()
                            lastPoll.set(Date().timeIntervalSince1970)
                            ready.set(true)
                        }
                        attempts = 0
                    } catch {
                        attempts += 1
                        logger.warning("Broker unreachable or refused (attempt \(attempts)): \(error)")
                        if agentID == nil, attempts > settings.agent.maxRetries { throw error }
                    }
                    try await Task.sleep(for: .seconds(settings.agent.pollingInterval))
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    if let (id, active) = identity.current, active {
                        let poller = DeploymentPoller(
                            broker: broker, reconciler: Reconciler(kube: kube, agentID: id, logger: logger), agentID: id,
                            eventRetries: settings.agent.maxEventMessageRetries,
                            eventRetryDelay: .seconds(settings.agent.eventMessageRetryDelay), logger: logger, applied: applied)
                        do {
                            _ = try await poller.pollOnce()
                            polls.increment()
                            lastPoll.set(Date().timeIntervalSince1970)
                        } catch {
                            pollErrors.increment()
                            logger.error("Target-state poll failed: \(error)")
                        }
                    }
                    try await Task.sleep(for: .seconds(settings.agent.pollingInterval))
                }
            }
            group.addTask {
                // Diagnostics requests and agent-delivered webhooks: looked for every 10 s (the original's cadence).
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(10))
                    guard let (id, active) = identity.current, active else { continue }
                    do { try await DiagnosticsCollector(broker: broker, kube: kube, agentID: id, logger: logger).runOnce() }
                    catch { logger.debug("Diagnostics poll failed: \(error)") }
                    do { try await AgentWebhookDeliverer(broker: broker, agentID: id, logger: logger).runOnce() }
                    catch { logger.debug("Agent webhook poll failed: \(error)") }
                }
            }
            group.addTask {
                // Work orders get their own task: a long build never delays deployments or heartbeats.
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(settings.agent.pollingInterval))
                    guard let (id, active) = identity.current, active else { continue }
                    do { try await WorkOrderRunner(broker: broker, kube: kube, agentID: id, logger: logger).runOnce() }
                    catch { logger.warning("Work-order poll failed: \(error)") }
                }
            }
            if settings.agent.deploymentHealthEnabled {
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(settings.agent.deploymentHealthInterval))
                        guard let (id, active) = identity.current, active else { continue }
                        let reporter = HealthReporter(broker: broker, checker: HealthChecker(kube: kube), applied: applied, agentID: id)
                        do { try await reporter.reportOnce() } catch { logger.warning("Health report failed: \(error)") }
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// The agent's id and whether the broker says it is ACTIVE, shared by the heartbeat and poll tasks.
final class AgentIdentity: @unchecked Sendable {
    private let lock = NSLock()
    private var id: String?
    private var active = false
    func set(id: String?, active: Bool) { lock.withLock { self.id = id; self.active = active } }
    var current: (String, Bool)? { lock.withLock { id.map { ($0, active) } } }
}

final class ReadyFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var value: Bool { lock.withLock { flag } }
    func set(_ v: Bool) { lock.withLock { flag = v } }
}
