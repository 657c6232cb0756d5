import Tracing

/// W3C trace context carried through the database: a change's rows (webhook deliveries, work orders)
/// store the `traceparent` of the request that wrote them, and the worker that claims a row later
/// continues that trace from it. Without an exporter (telemetry disabled) nothing is stored.
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
