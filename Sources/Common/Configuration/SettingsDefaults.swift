/// Brokkr's embedded `default.toml`: every key any process reads, with the documented defaults.
public enum SettingsDefaults {
    public static let toml = """
        [database]
        url = "postgres://brokkr:brokkr@localhost:5432/brokkr"

        [log]
        level = "info"
        format = "text"

        [pak]
        prefix = "brokkr"
        digest = "sha256"
        rng = "osrng"
        short_token_length = 8
        short_token_prefix = "BR"
        long_token_length = 24

        [broker]
        host = "0.0.0.0"
        port = 3000
        pool_size = 50
        diagnostic_cleanup_interval_seconds = 900
        diagnostic_max_age_hours = 1
        webhook_delivery_interval_seconds = 5
        webhook_delivery_batch_size = 50
        webhook_cleanup_retention_days = 7
        audit_log_retention_days = 90
        auth_cache_ttl_seconds = 60
        allow_ephemeral_webhook_key = false
        agent_heartbeat_timeout_seconds = 90
        template_max_iterations = 100000
        template_max_output_bytes = 4194304
        template_render_timeout_ms = 2000

        [workers]
        health_port = 0
        lease_seconds = 60
        poll_interval_seconds = 5

        [cors]
        allowed_origins = ["http://localhost:3001"]
        allowed_methods = ["GET", "POST", "PUT", "DELETE", "OPTIONS"]
        allowed_headers = ["Authorization", "Content-Type"]
        max_age_seconds = 3600

        [agent]
        broker_url = "http://localhost:3000"
        polling_interval = 10
        max_retries = 60
        pak = ""
        agent_name = "DEFAULT"
        cluster_name = "DEFAULT"
        max_event_message_retries = 2
        event_message_retry_delay = 5
        health_port = 8080
        deployment_health_enabled = true
        deployment_health_interval = 60
        resync_interval = 600
        apply_retry_initial_seconds = 5
        apply_retry_max_seconds = 300
        apply_concurrency = 8
        # kube_context = "name"  (default: the kubeconfig's current-context)

        [telemetry]
        enabled = false
        # otlp_endpoint = "http://localhost:4317"  (default: 4317 for grpc, 4318 for the http protocols)
        service_name = "brokkr"
        sampling_rate = 0.1
        otlp_protocol = "grpc"  # or "http/protobuf", "http/json"
        # [telemetry.broker] and [telemetry.agent] override any of these for the broker's processes or the agent.
        """
}
