import BrokkrCommon
import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// OpenTelemetry trace export for one process, from its role's resolved `telemetry.*` settings:
/// spans go over OTLP (gRPC as in the original, or HTTP with protobuf or JSON) through a batching
/// processor. Sampling is parent-based with the configured ratio for root spans, so a delivery sent
/// by a worker is sampled exactly when the API request that caused it was. The standard `OTEL_*`
/// environment variables still override what they name; logs and metrics are never touched (they
/// stay on standard error and Prometheus).
public enum TelemetryExporter {
    /// Installs the process-wide tracer and returns the service that exports its spans, or nil when
    /// telemetry is disabled (spans are then no-ops). `ProcessServices` runs it first in the process's
    /// service group, so it stops last and sends the spans of the work finished during a shutdown.
    public static func bootstrap(_ telemetry: Settings.Telemetry.Resolved, logger: Logger) throws -> (any Service)? {
        guard telemetry.enabled else { return nil }
        if ProcessInfo.processInfo.environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" {
            logger.info("Telemetry is enabled in the settings but OTEL_SDK_DISABLED=true: no traces are exported")
            return nil
        }
        var configuration = OTel.Configuration.default
        configuration.serviceName = telemetry.serviceName
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        configuration.propagators = [.traceContext]
        configuration.traces.sampler = .parentBasedTraceIDRatio(ratio: telemetry.samplingRate) ?? .parentBasedAlwaysOn
        // A collector that does not answer must not hold up a shutdown for long.
        configuration.traces.otlpExporter.timeout = .seconds(2)
        configuration.traces.batchSpanProcessor.exportTimeout = .seconds(2)
        switch telemetry.otlpProtocol {
        case "http/protobuf", "http/json":
            configuration.traces.otlpExporter.protocol = telemetry.otlpProtocol == "http/json" ? .httpJSON : .httpProtobuf
            configuration.traces.otlpExporter.endpoint = tracesURL(telemetry.otlpEndpoint)
        default:
            configuration.traces.otlpExporter.protocol = .grpc
            configuration.traces.otlpExporter.endpoint = telemetry.otlpEndpoint
        }
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        logger.info(
            "Exporting traces as \(telemetry.serviceName) over OTLP (\(telemetry.otlpProtocol)) to \(telemetry.otlpEndpoint), sampling \(telemetry.samplingRate)"
        )
        return backend.service
    }

    /// OTLP/HTTP posts traces to `{base}/v1/traces`; an endpoint that already names a path is used as given.
    static func tracesURL(_ endpoint: String) -> String {
        guard let schemeEnd = endpoint.range(of: "://") else { return endpoint }
        let afterAuthority = endpoint[schemeEnd.upperBound...].drop { $0 != "/" }
        if afterAuthority.isEmpty || afterAuthority == "/" {
            return (endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint) + "/v1/traces"
        }
        return endpoint
    }
}
