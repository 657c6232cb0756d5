import Tracing

/// W3C trace context carried through the database and over HTTP: a webhook delivery row stores the
/// `traceparent` of the request that wrote it, and the worker that claims the row continues that trace
/// from it; outgoing requests (deliveries, the agent's calls to the broker) carry it as a header.
/// Without an exporter (telemetry disabled) there is no context, so nothing is stored or sent.
public enum TraceContext {
    /// The current span's `traceparent` value, nil when nothing is being traced.
    public static var currentTraceparent: String? {
        guard let context = ServiceContext.current else { return nil }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryInjector())
        return carrier["traceparent"]
    }

    /// The context a stored `traceparent` names, to parent a span on; top level without one.
    public static func context(traceparent: String?) -> ServiceContext {
        var context = ServiceContext.topLevel
        if let traceparent {
            InstrumentationSystem.instrument.extract(["traceparent": traceparent], into: &context, using: DictionaryExtractor())
        }
        return context
    }

    /// Header-style carriers: `[name: value]`.
    public struct DictionaryInjector: Injector {
        public init() {}
        public func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    }

    public struct DictionaryExtractor: Extractor {
        public init() {}
        public func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
    }
}
