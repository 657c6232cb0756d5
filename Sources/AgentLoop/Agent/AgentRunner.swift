import BrokkrCommon
import Foundation
import Hummingbird
import Logging
import Prometheus

/// `brokkr-agent start`: finds itself at the broker, then heartbeats on `agent.polling_interval`
/// and serves `/healthz`, `/readyz` and `/metrics` on `agent.health_port`. Reconciliation and the
/// other agent tasks run beside the heartbeat as independent tasks (added with the agent issue).
public enum AgentRunner {
    public static func run(settings: Settings, logger: Logger) async throws {
        guard !settings.agent.pak.isEmpty else { throw ConfigurationError("agent.pak is required (BROKKR__AGENT__PAK)") }
        let broker = BrokerClient(baseURL: settings.agent.brokerURL, pak: settings.agent.pak)
        let registry = PrometheusCollectorRegistry()
        let heartbeats = registry.makeCounter(name: "brokkr_agent_heartbeat_sent_total", help: "Total number of heartbeats sent to broker")
        let lastPoll = registry.makeGauge(name: "brokkr_agent_last_successful_poll_timestamp", help: "Unix timestamp of last successful broker poll")
        let ready = ReadyFlag()

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
                        if agentID == nil {
                            let me = try await broker.findSelf(name: settings.agent.agentName, cluster: settings.agent.clusterName)
                            agentID = me["id"]?.stringValue
                            logger.info("Registered with broker as agent \(agentID ?? "?")")
                        }
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
            try await group.next()
            group.cancelAll()
        }
    }
}

final class ReadyFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var value: Bool { lock.withLock { flag } }
    func set(_ v: Bool) { lock.withLock { flag = v } }
}
