import Prometheus

extension PrometheusCollectorRegistry {
    /// Counts one operation and records how long it took: a counter and a duration histogram under the
    /// same labels, as the broker's database and the agent's Kubernetes metrics pair them.
    public func recordOperation(
        counter: (name: String, help: String), duration: (name: String, help: String),
        labels: [(String, String)], buckets: [Double], seconds: Double
    ) {
        makeCounter(name: counter.name, labels: labels, help: counter.help).increment()
        makeValueHistogram(name: duration.name, labels: labels, buckets: buckets, help: duration.help).record(seconds)
    }
}
