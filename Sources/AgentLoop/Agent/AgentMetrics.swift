import Foundation
import Prometheus

/// The agent's Prometheus metrics, with the names, labels and buckets of the original Brokkr agent,
/// which the alerts and dashboards of `deploy/monitoring` query (see README, section "Monitoring").
public final class AgentMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    static let pollBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    static let kubeBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public init() {}

    public func recordPoll(success: Bool, seconds: Double) {
        registry.makeCounter(
            name: "brokkr_agent_poll_requests_total", labels: [("status", success ? "success" : "error")],
            help: "Total number of broker poll requests"
        ).increment()
        registry.makeValueHistogram(
            name: "brokkr_agent_poll_duration_seconds", buckets: Self.pollBuckets,
            help: "Broker poll request latency distribution in seconds"
        ).record(seconds)
        if success { markSuccessfulPoll() }
    }

    public func recordKubernetesOperation(_ operation: String, seconds: Double) {
        registry.makeCounter(
            name: "brokkr_agent_kubernetes_operations_total", labels: [("operation", operation)],
            help: "Total number of Kubernetes API operations by type"
        ).increment()
        registry.makeValueHistogram(
            name: "brokkr_agent_kubernetes_operation_duration_seconds", labels: [("operation", operation)],
            buckets: Self.kubeBuckets, help: "Kubernetes operation latency distribution in seconds"
        ).record(seconds)
    }

    public func recordHeartbeat() {
        registry.makeCounter(name: "brokkr_agent_heartbeat_sent_total", help: "Total number of heartbeats sent to broker").increment()
    }

    public func markSuccessfulPoll() {
        registry.makeGauge(name: "brokkr_agent_last_successful_poll_timestamp", help: "Unix timestamp of last successful broker poll")
            .set(Date().timeIntervalSince1970)
    }

    public func exposition() -> String { registry.emitToString() }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
