import Foundation

/// Every configuration key of Brokkr, typed and validated. Built by `Settings.load()` from
/// defaults < config file (`BROKKR_CONFIG_FILE`) < `BROKKR__SECTION__KEY` environment variables.
public struct Settings: Sendable, Equatable {
    public struct Database: Sendable, Equatable {
        public var url: String
        /// Tenant schema; nil means the default search path (`public`).
        public var schema: String?
    }

    public struct Log: Sendable, Equatable {
        public var level: String
        public var format: String
    }

    public struct PAK: Sendable, Equatable {
        public var prefix: String
        public var shortTokenPrefix: String
        public var shortTokenLength: Int
        public var longTokenLength: Int
    }

    public struct Broker: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var poolSize: Int
        public var pakHash: String?
        public var diagnosticCleanupIntervalSeconds: Int
        public var diagnosticMaxAgeHours: Int
        public var webhookEncryptionKey: String?
        /// Development only: without `webhook_encryption_key`, use a random key per process instead of
        /// refusing to start (secrets stored under it cannot be read after a restart).
        public var allowEphemeralWebhookKey: Bool
        /// An agent without a heartbeat for this long is marked `heartbeat_lost_at` by brokkr-cleanup.
        public var agentHeartbeatTimeoutSeconds: Int
        public var webhookDeliveryIntervalSeconds: Int
        public var webhookDeliveryBatchSize: Int
        public var webhookCleanupRetentionDays: Int
        public var auditLogRetentionDays: Int
        public var authCacheTTLSeconds: Int
        /// Folder with Swagger UI's assets (`swagger-ui-bundle.js`, `swagger-ui.css`), served under
        /// /swagger-ui; empty: `swagger-ui` beside the executable, then `/usr/share/brokkr/swagger-ui`.
        public var swaggerUIDir: String?
        /// Loop iterations one template render may run, all loops together.
        public var templateMaxIterations: Int
        /// Bytes of output (and of any one value built) one template render may produce.
        public var templateMaxOutputBytes: Int
        /// Wall-clock time one template render may take.
        public var templateRenderTimeoutMilliseconds: Int
        /// Addresses or CIDR ranges of the load balancers / proxies whose `X-Forwarded-For` is believed;
        /// from anyone else the header is ignored and the connection's peer is the client.
        public var trustedProxies: [String]
    }

    /// Settings shared by the worker executables (not in the original, which ran tasks in the broker).
    public struct Workers: Sendable, Equatable {
        /// Port of the worker's health/metrics server; 0 picks a free port.
        public var healthPort: Int
        public var leaseSeconds: Int
        public var pollIntervalSeconds: Int
    }

    public struct CORS: Sendable, Equatable {
        public var allowedOrigins: [String]
        public var allowedMethods: [String]
        public var allowedHeaders: [String]
        public var maxAgeSeconds: Int
    }

    public struct Agent: Sendable, Equatable {
        public var brokerURL: String
        public var pollingInterval: Int
        public var kubeconfigPath: String?
        public var maxRetries: Int
        public var pak: String
        public var agentName: String
        public var clusterName: String
        public var maxEventMessageRetries: Int
        public var eventMessageRetryDelay: Int
        public var healthPort: Int
        public var deploymentHealthEnabled: Bool
        public var deploymentHealthInterval: Int
        /// Seconds between re-applies of the whole current state, correcting drift (0: never).
        public var resyncInterval: Int
        /// Back-off for a deployment object whose apply failed: first retry after this many seconds,
        /// doubling up to `applyRetryMaxSeconds`.
        public var applyRetryInitialSeconds: Int
        public var applyRetryMaxSeconds: Int
        /// The kubeconfig context to use instead of the file's `current-context`.
        public var kubeContext: String?
        /// Objects of one priority tier dry-run and applied at once.
        public var applyConcurrency: Int
    }

    /// OpenTelemetry trace export: `telemetry.*`, with `telemetry.broker.*` and `telemetry.agent.*`
    /// overriding any key for the broker's processes or the agent (an absent override inherits).
    public struct Telemetry: Sendable, Equatable {
        public var enabled: Bool
        /// OTLP/gRPC: the collector's address (`http://localhost:4317`). OTLP/HTTP: its base URL
        /// (`/v1/traces` is appended when the URL has no path) or the full traces URL.
        public var otlpEndpoint: String
        public var serviceName: String
        public var samplingRate: Double
        /// `grpc` (the original's exporter), `http/protobuf` or `http/json`.
        public var otlpProtocol: String
        public var broker: Resolved
        public var agent: Resolved

        public static let protocols = ["grpc", "http/protobuf", "http/json"]

        /// One role's telemetry, overrides applied.
        public struct Resolved: Sendable, Equatable {
            public var enabled: Bool
            public var otlpEndpoint: String
            public var serviceName: String
            public var samplingRate: Double
            public var otlpProtocol: String

            public init(enabled: Bool, otlpEndpoint: String, serviceName: String, samplingRate: Double, otlpProtocol: String) {
                self.enabled = enabled
                self.otlpEndpoint = otlpEndpoint
                self.serviceName = serviceName
                self.samplingRate = samplingRate
                self.otlpProtocol = otlpProtocol
            }
        }
    }

    public var database: Database
    public var log: Log
    public var pak: PAK
    public var broker: Broker
    public var workers: Workers
    public var cors: CORS
    public var agent: Agent
    public var telemetry: Telemetry
    /// The config file these settings were read from, so a reload reads the same file.
    public var configFile: String?
    /// Keys given in the file or environment that no setting reads (a typo, or an option that does not
    /// exist), with where each came from; every process warns about them at start.
    public var unknownKeys: [String] = []

    public static func load(file: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        let source = try ConfigSource.load(file: file, environment: environment)
        var settings = try Settings(source)
        settings.configFile = file ?? environment["BROKKR_CONFIG_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        settings.unknownKeys = source.unknownKeys
        return settings
    }

    public init(_ c: ConfigSource) throws {
        database = Database(
            url: try c.string("database.url", default: "postgres://brokkr:brokkr@localhost:5432/brokkr"),
            schema: try c.nonEmptyString("database.schema")
        )
        if let schema = database.schema { try SchemaName.validate(schema) }

        let format = try c.string("log.format", default: "text").lowercased()
        guard format == "text" || format == "json" else {
            throw ConfigurationError("log.format must be text or json, got \"\(format)\"")
        }
        log = Log(level: try LogLevelName.validated(try c.string("log.level", default: "info")), format: format)

        pak = PAK(
            prefix: try c.string("pak.prefix", default: "brokkr"),
            shortTokenPrefix: try c.string("pak.short_token_prefix", default: "BR"),
            shortTokenLength: try c.int("pak.short_token_length", default: 8, minimum: 1),
            longTokenLength: try c.int("pak.long_token_length", default: 24, minimum: 16)
        )
        guard !pak.prefix.isEmpty, !pak.prefix.contains("_"), !pak.shortTokenPrefix.contains("_") else {
            throw ConfigurationError("pak.prefix must be non-empty and pak prefixes cannot contain '_'")
        }

        let pakHash = try c.nonEmptyString("broker.pak_hash")
        if let pakHash, !PAKHash.isValid(pakHash) {
            throw ConfigurationError("Invalid PAK hash provided in configuration: broker.pak_hash must be 64 hex characters")
        }
        broker = Broker(
            host: try c.string("broker.host", default: "0.0.0.0"),
            port: try c.int("broker.port", default: 3000, minimum: 0),
            poolSize: try c.int("broker.pool_size", default: 50, minimum: 1),
            pakHash: pakHash?.lowercased(),
            diagnosticCleanupIntervalSeconds: try c.int("broker.diagnostic_cleanup_interval_seconds", default: 900, minimum: 1),
            diagnosticMaxAgeHours: try c.int("broker.diagnostic_max_age_hours", default: 1, minimum: 0),
            webhookEncryptionKey: try c.nonEmptyString("broker.webhook_encryption_key"),
            allowEphemeralWebhookKey: try c.bool("broker.allow_ephemeral_webhook_key", default: false),
            agentHeartbeatTimeoutSeconds: try c.int("broker.agent_heartbeat_timeout_seconds", default: 90, minimum: 1),
            webhookDeliveryIntervalSeconds: try c.int("broker.webhook_delivery_interval_seconds", default: 5, minimum: 1),
            webhookDeliveryBatchSize: try c.int("broker.webhook_delivery_batch_size", default: 50, minimum: 1),
            webhookCleanupRetentionDays: try c.int("broker.webhook_cleanup_retention_days", default: 7, minimum: 0),
            auditLogRetentionDays: try c.int("broker.audit_log_retention_days", default: 90, minimum: 0),
            authCacheTTLSeconds: try c.int("broker.auth_cache_ttl_seconds", default: 60, minimum: 0),
            swaggerUIDir: try c.nonEmptyString("broker.swagger_ui_dir"),
            templateMaxIterations: try c.int("broker.template_max_iterations", default: 100_000, minimum: 1),
            templateMaxOutputBytes: try c.int("broker.template_max_output_bytes", default: 4_194_304, minimum: 1),
            templateRenderTimeoutMilliseconds: try c.int("broker.template_render_timeout_ms", default: 2_000, minimum: 1),
            trustedProxies: try c.list("broker.trusted_proxies", default: [])
        )
        for proxy in broker.trustedProxies where IPRange(proxy) == nil {
            throw ConfigurationError("broker.trusted_proxies: '\(proxy)' is not an IP address or CIDR range")
        }
        if let key = broker.webhookEncryptionKey, let problem = WebhookKeyText.problem(key) {
            throw ConfigurationError("broker.webhook_encryption_key: \(problem)")
        }
        workers = Workers(
            healthPort: try c.int("workers.health_port", default: 0, minimum: 0),
            leaseSeconds: try c.int("workers.lease_seconds", default: 60, minimum: 1),
            pollIntervalSeconds: try c.int("workers.poll_interval_seconds", default: 5, minimum: 1)
        )
        cors = CORS(
            allowedOrigins: try c.list("cors.allowed_origins", default: ["http://localhost:3001"]),
            allowedMethods: try c.list("cors.allowed_methods", default: ["GET", "POST", "PUT", "DELETE", "OPTIONS"]),
            allowedHeaders: try c.list("cors.allowed_headers", default: ["Authorization", "Content-Type"]),
            maxAgeSeconds: try c.int("cors.max_age_seconds", default: 3600, minimum: 0)
        )
        agent = Agent(
            brokerURL: try c.string("agent.broker_url", default: "http://localhost:3000"),
            pollingInterval: try c.int("agent.polling_interval", default: 10, minimum: 1),
            kubeconfigPath: try c.nonEmptyString("agent.kubeconfig_path"),
            maxRetries: try c.int("agent.max_retries", default: 60, minimum: 0),
            pak: try c.string("agent.pak", default: ""),
            agentName: try c.string("agent.agent_name", default: "DEFAULT"),
            clusterName: try c.string("agent.cluster_name", default: "DEFAULT"),
            maxEventMessageRetries: try c.int("agent.max_event_message_retries", default: 2, minimum: 0),
            eventMessageRetryDelay: try c.int("agent.event_message_retry_delay", default: 5, minimum: 0),
            healthPort: try c.int("agent.health_port", default: 8080, minimum: 0),
            deploymentHealthEnabled: try c.bool("agent.deployment_health_enabled", default: true),
            deploymentHealthInterval: try c.int("agent.deployment_health_interval", default: 60, minimum: 1),
            resyncInterval: try c.int("agent.resync_interval", default: 600, minimum: 0),
            applyRetryInitialSeconds: try c.int("agent.apply_retry_initial_seconds", default: 5, minimum: 1),
            applyRetryMaxSeconds: try c.int("agent.apply_retry_max_seconds", default: 300, minimum: 1),
            kubeContext: try c.nonEmptyString("agent.kube_context"),
            applyConcurrency: try c.int("agent.apply_concurrency", default: 8, minimum: 1)
        )
        // Without an endpoint the collector's standard local port for the protocol: 4317 gRPC, 4318 HTTP.
        func defaultEndpoint(_ otlpProtocol: String) -> String { otlpProtocol == "grpc" ? "http://localhost:4317" : "http://localhost:4318" }
        let baseProtocol = try c.string("telemetry.otlp_protocol", default: "grpc")
        let baseEndpoint = try c.nonEmptyString("telemetry.otlp_endpoint")
        let base = Telemetry.Resolved(
            enabled: try c.bool("telemetry.enabled", default: false),
            otlpEndpoint: baseEndpoint ?? defaultEndpoint(baseProtocol),
            serviceName: try c.string("telemetry.service_name", default: "brokkr"),
            samplingRate: try c.double("telemetry.sampling_rate", default: 0.1),
            otlpProtocol: baseProtocol)
        func resolve(_ role: String) throws -> Telemetry.Resolved {
            let otlpProtocol = try c.string("telemetry.\(role).otlp_protocol", default: base.otlpProtocol)
            let resolved = Telemetry.Resolved(
                enabled: try c.bool("telemetry.\(role).enabled", default: base.enabled),
                otlpEndpoint: try c.nonEmptyString("telemetry.\(role).otlp_endpoint") ?? baseEndpoint ?? defaultEndpoint(otlpProtocol),
                serviceName: try c.string("telemetry.\(role).service_name", default: base.serviceName),
                samplingRate: try c.double("telemetry.\(role).sampling_rate", default: base.samplingRate),
                otlpProtocol: otlpProtocol)
            guard (0...1).contains(resolved.samplingRate) else {
                throw ConfigurationError("telemetry.\(role).sampling_rate must be between 0 and 1")
            }
            guard Telemetry.protocols.contains(resolved.otlpProtocol) else {
                throw ConfigurationError("telemetry.\(role).otlp_protocol must be one of \(Telemetry.protocols.joined(separator: ", "))")
            }
            return resolved
        }
        guard (0...1).contains(base.samplingRate) else {
            throw ConfigurationError("telemetry.sampling_rate must be between 0 and 1")
        }
        guard Telemetry.protocols.contains(base.otlpProtocol) else {
            throw ConfigurationError("telemetry.otlp_protocol must be one of \(Telemetry.protocols.joined(separator: ", "))")
        }
        telemetry = Telemetry(
            enabled: base.enabled, otlpEndpoint: base.otlpEndpoint, serviceName: base.serviceName,
            samplingRate: base.samplingRate, otlpProtocol: base.otlpProtocol,
            broker: try resolve("broker"), agent: try resolve("agent"))
    }
}

/// Postgres schema names used for tenants: a letter, then letters, digits or underscores (max 63).
public enum SchemaName {
    public static func validate(_ name: String) throws {
        guard !name.isEmpty else { throw ConfigurationError("Invalid schema name: Schema name cannot be empty") }
        guard let first = name.unicodeScalars.first, first.isASCII, CharacterSet.letters.contains(first) else {
            throw ConfigurationError("Invalid schema name '\(name)': Schema name must start with a letter")
        }
        guard name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") }) else {
            throw ConfigurationError("Invalid schema name '\(name)': Schema name can only contain letters, numbers, and underscores")
        }
        guard name.utf8.count <= 63 else { throw ConfigurationError("Invalid schema name '\(name)': longer than 63 characters") }
    }
}

public enum LogLevelName {
    public static let all = ["trace", "debug", "info", "warn", "error", "off"]
    public static func validated(_ level: String) throws -> String {
        let l = level.lowercased()
        guard all.contains(l) || l == "warning" else {
            throw ConfigurationError("log.level must be one of \(all.joined(separator: ", ")), got \"\(level)\"")
        }
        return l == "warning" ? "warn" : l
    }
}
