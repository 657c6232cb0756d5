import Foundation
import Prometheus

/// The broker's Prometheus metrics, with the names, labels and buckets of the original.
public final class BrokerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    static let httpBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]
    static let dbBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]

    public let activeAgents: Gauge
    public let stacksTotal: Gauge
    public let deploymentObjectsTotal: Gauge
    /// Target-state long polls this process is holding open (not part of the original's set).
    public let targetStateLongPolls: Gauge

    public init() {
        activeAgents = registry.makeGauge(name: "brokkr_active_agents", help: "Number of active agents")
        stacksTotal = registry.makeGauge(name: "brokkr_stacks_total", help: "Total number of stacks")
        deploymentObjectsTotal = registry.makeGauge(name: "brokkr_deployment_objects_total", help: "Total number of deployment objects")
        targetStateLongPolls = registry.makeGauge(
            name: "brokkr_target_state_long_polls", help: "Target-state requests waiting in a long poll on this process")
    }

    public func recordHTTPRequest(path: String, method: String, status: Int, seconds: Double) {
        let endpoint = Self.normalize(path)
        registry.makeCounter(
            name: "brokkr_http_requests_total",
            labels: [("endpoint", endpoint), ("method", method), ("status", String(status))],
            help: "Total number of HTTP requests by endpoint and status"
        ).increment()
        registry.makeValueHistogram(
            name: "brokkr_http_request_duration_seconds",
            labels: [("endpoint", endpoint), ("method", method)],
            buckets: Self.httpBuckets,
            help: "HTTP request latency distribution in seconds"
        ).record(seconds)
    }

    public func recordAuthFailure() {
        registry.makeCounter(name: "brokkr_auth_failures_total", help: "Requests refused for a missing, malformed or unknown PAK").increment()
    }

    public func recordDatabaseQuery(type: String, seconds: Double) {
        registry.makeCounter(
            name: "brokkr_database_queries_total", labels: [("query_type", type)],
            help: "Total number of database queries by type"
        ).increment()
        registry.makeValueHistogram(
            name: "brokkr_database_query_duration_seconds", labels: [("query_type", type)],
            buckets: Self.dbBuckets, help: "Database query latency distribution in seconds"
        ).record(seconds)
    }

    public func setHeartbeatAge(agentID: UUID, agentName: String, seconds: Double) {
        registry.makeGauge(
            name: "brokkr_agent_heartbeat_age_seconds",
            labels: [("agent_id", agentID.uuidString.lowercased()), ("agent_name", agentName)],
            help: "Seconds since the agent's last heartbeat"
        ).set(max(0, seconds))
    }

    /// UUID-shaped and all-digit path segments become `:id`, keeping label cardinality bounded.
    /// Every request's path is normalised for its labels, so this works on the UTF-8 bytes.
    public static func normalize(_ path: String) -> String {
        var out = ""
        out.reserveCapacity(path.utf8.count)
        let pathOnly = path.utf8.prefix { $0 != UInt8(ascii: "?") }
        for (index, segment) in pathOnly.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).enumerated() {
            if index > 0 { out.append("/") }
            let isUUID = segment.count == 36 && segment.lazy.filter { $0 == UInt8(ascii: "-") }.count == 4
            let isNumber = !segment.isEmpty && segment.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            out.append(isUUID || isNumber ? ":id" : String(decoding: segment, as: UTF8.self))
        }
        return out
    }

    public func exposition() -> String { registry.emitToString() }
}
