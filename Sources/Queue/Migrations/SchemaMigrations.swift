/// The broker's schema as ordered migrations. Each migration is a list of single SQL statements
/// (the extended protocol runs one statement per query); applied ones are recorded in
/// `schema_migrations`, so a migration's text must never change once released — add a new one.
public enum SchemaMigrations {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let statements: [String]
    }

    public static let all: [Migration] = [
        Migration(version: 1, name: "core_tables", statements: coreTables),
        Migration(version: 2, name: "templates_work_orders_health", statements: templateAndQueueTables),
        Migration(version: 3, name: "webhooks_audit", statements: webhookAndAuditTables),
        Migration(version: 4, name: "triggers", statements: triggers),
        Migration(version: 5, name: "webhook_signing_and_queue_indexes", statements: webhookSigningAndQueueIndexes),
        Migration(version: 6, name: "agent_heartbeat_lost", statements: agentHeartbeatLost),
        Migration(version: 7, name: "agents_start_inactive", statements: agentsStartInactive),
        Migration(version: 8, name: "target_state_versions", statements: targetStateVersions),
        Migration(version: 9, name: "webhook_delivery_trace_context", statements: webhookDeliveryTraceContext),
        Migration(version: 10, name: "target_state_write_lock", statements: targetStateWriteLock),
        Migration(version: 11, name: "target_state_notify_per_schema", statements: targetStateNotifyPerSchema),
    ]

    static let coreTables = [
        """
        CREATE OR REPLACE FUNCTION update_timestamp() RETURNS trigger AS $$
        BEGIN NEW.updated_at = now(); RETURN NEW; END; $$ LANGUAGE plpgsql
        """,
        "CREATE TABLE app_initialization (id SERIAL PRIMARY KEY, initialized_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        """
        CREATE TABLE admin_role (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            pak_hash TEXT NOT NULL)
        """,
        """
        CREATE TABLE generators (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            name VARCHAR(255) NOT NULL,
            description TEXT,
            pak_hash VARCHAR(255),
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            deleted_at TIMESTAMPTZ,
            last_active_at TIMESTAMPTZ,
            is_active BOOLEAN NOT NULL DEFAULT false)
        """,
        "CREATE UNIQUE INDEX generators_name_unique ON generators (name) WHERE deleted_at IS NULL",
        "CREATE INDEX idx_generators_pak_hash ON generators (pak_hash) WHERE deleted_at IS NULL",
        "CREATE INDEX idx_generators_deleted_at ON generators (deleted_at)",
        """
        CREATE TABLE agents (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            deleted_at TIMESTAMPTZ,
            name TEXT NOT NULL,
            cluster_name TEXT NOT NULL,
            last_heartbeat TIMESTAMPTZ,
            status TEXT NOT NULL DEFAULT 'ACTIVE',
            pak_hash TEXT NOT NULL DEFAULT '')
        """,
        "CREATE UNIQUE INDEX unique_agent_name_cluster ON agents (name, cluster_name) WHERE deleted_at IS NULL",
        "CREATE INDEX idx_agents_pak_hash ON agents (pak_hash) WHERE deleted_at IS NULL",
        "CREATE INDEX idx_agents_deleted_at ON agents (deleted_at)",
        """
        CREATE TABLE agent_labels (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            agent_id UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            label VARCHAR(64) NOT NULL,
            UNIQUE (agent_id, label))
        """,
        "CREATE INDEX idx_agent_labels_label ON agent_labels (label)",
        """
        CREATE TABLE agent_annotations (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            agent_id UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            key VARCHAR(64) NOT NULL,
            value VARCHAR(64) NOT NULL,
            UNIQUE (agent_id, key))
        """,
        "CREATE INDEX idx_agent_annotations_kv ON agent_annotations (key, value)",
        """
        CREATE TABLE stacks (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            deleted_at TIMESTAMPTZ,
            name TEXT NOT NULL,
            description TEXT,
            generator_id UUID NOT NULL REFERENCES generators(id))
        """,
        "CREATE UNIQUE INDEX unique_stack_name ON stacks (name) WHERE deleted_at IS NULL",
        "CREATE INDEX idx_stacks_generator ON stacks (generator_id)",
        "CREATE INDEX idx_stacks_deleted_at ON stacks (deleted_at)",
        """
        CREATE TABLE stack_labels (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            stack_id UUID NOT NULL REFERENCES stacks(id) ON DELETE CASCADE,
            label VARCHAR(64) NOT NULL,
            UNIQUE (stack_id, label))
        """,
        "CREATE INDEX idx_stack_labels_label ON stack_labels (label)",
        """
        CREATE TABLE stack_annotations (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            stack_id UUID NOT NULL REFERENCES stacks(id) ON DELETE CASCADE,
            key VARCHAR(64) NOT NULL,
            value VARCHAR(64) NOT NULL,
            UNIQUE (stack_id, key))
        """,
        "CREATE INDEX idx_stack_annotations_kv ON stack_annotations (key, value)",
        """
        CREATE TABLE agent_targets (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            agent_id UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            stack_id UUID NOT NULL REFERENCES stacks(id) ON DELETE CASCADE,
            UNIQUE (agent_id, stack_id))
        """,
        "CREATE INDEX idx_agent_targets_stack ON agent_targets (stack_id)",
        """
        CREATE TABLE deployment_objects (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            deleted_at TIMESTAMPTZ,
            sequence_id BIGSERIAL NOT NULL UNIQUE,
            stack_id UUID NOT NULL REFERENCES stacks(id),
            yaml_content TEXT NOT NULL,
            yaml_checksum TEXT NOT NULL DEFAULT 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
            submitted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            is_deletion_marker BOOLEAN NOT NULL DEFAULT false)
        """,
        "CREATE INDEX idx_deployment_objects_stack_seq ON deployment_objects (stack_id, sequence_id DESC) WHERE deleted_at IS NULL",
        "CREATE INDEX idx_deployment_objects_deleted_at ON deployment_objects (deleted_at)",
        """
        CREATE TABLE agent_events (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            deleted_at TIMESTAMPTZ,
            agent_id UUID NOT NULL REFERENCES agents(id),
            deployment_object_id UUID NOT NULL REFERENCES deployment_objects(id),
            event_type TEXT NOT NULL,
            status TEXT NOT NULL,
            message TEXT)
        """,
        "CREATE INDEX idx_agent_events_agent_do ON agent_events (agent_id, deployment_object_id)",
        "CREATE INDEX idx_agent_events_do ON agent_events (deployment_object_id)",
        "CREATE INDEX idx_agent_events_deleted_at ON agent_events (deleted_at)",
    ]

    static let templateAndQueueTables = [
        """
        CREATE TABLE stack_templates (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            deleted_at TIMESTAMPTZ,
            generator_id UUID REFERENCES generators(id),
            name VARCHAR(255) NOT NULL,
            description TEXT,
            version INTEGER NOT NULL CHECK (version >= 1),
            template_content TEXT NOT NULL,
            parameters_schema TEXT NOT NULL,
            checksum TEXT NOT NULL)
        """,
        // NULLS NOT DISTINCT: system templates (generator_id NULL) also get unique versions per name.
        "CREATE UNIQUE INDEX unique_template_version ON stack_templates (generator_id, name, version) NULLS NOT DISTINCT WHERE deleted_at IS NULL",
        "CREATE INDEX idx_stack_templates_deleted_at ON stack_templates (deleted_at)",
        """
        CREATE TABLE template_labels (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            template_id UUID NOT NULL REFERENCES stack_templates(id) ON DELETE CASCADE,
            label VARCHAR(64) NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            UNIQUE (template_id, label))
        """,
        """
        CREATE TABLE template_annotations (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            template_id UUID NOT NULL REFERENCES stack_templates(id) ON DELETE CASCADE,
            key VARCHAR(64) NOT NULL,
            value VARCHAR(64) NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            UNIQUE (template_id, key))
        """,
        """
        CREATE TABLE template_targets (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            template_id UUID NOT NULL REFERENCES stack_templates(id) ON DELETE CASCADE,
            stack_id UUID NOT NULL REFERENCES stacks(id) ON DELETE CASCADE,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now())
        """,
        """
        CREATE TABLE rendered_deployment_objects (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            deployment_object_id UUID NOT NULL REFERENCES deployment_objects(id) ON DELETE CASCADE,
            template_id UUID NOT NULL REFERENCES stack_templates(id),
            template_version INTEGER NOT NULL CHECK (template_version >= 1),
            template_parameters TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now())
        """,
        """
        CREATE TABLE work_orders (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            work_type TEXT NOT NULL,
            yaml_content TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'CLAIMED', 'RETRY_PENDING')),
            claimed_by UUID REFERENCES agents(id) ON DELETE SET NULL,
            claimed_at TIMESTAMPTZ,
            claim_timeout_seconds INTEGER NOT NULL DEFAULT 3600 CHECK (claim_timeout_seconds > 0),
            max_retries INTEGER NOT NULL DEFAULT 3 CHECK (max_retries >= 0),
            retry_count INTEGER NOT NULL DEFAULT 0,
            backoff_seconds INTEGER NOT NULL DEFAULT 60 CHECK (backoff_seconds > 0),
            next_retry_after TIMESTAMPTZ,
            last_error TEXT,
            last_error_at TIMESTAMPTZ)
        """,
        "CREATE INDEX idx_work_orders_status ON work_orders (status, next_retry_after)",
        """
        CREATE TABLE work_order_log (
            id UUID PRIMARY KEY,
            work_type TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            claimed_at TIMESTAMPTZ,
            completed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            claimed_by UUID,
            success BOOLEAN NOT NULL,
            retries_attempted INTEGER NOT NULL DEFAULT 0,
            result_message TEXT,
            yaml_content TEXT NOT NULL)
        """,
        """
        CREATE TABLE work_order_targets (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            work_order_id UUID NOT NULL REFERENCES work_orders(id) ON DELETE CASCADE,
            agent_id UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            UNIQUE (work_order_id, agent_id))
        """,
        """
        CREATE TABLE work_order_labels (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            work_order_id UUID NOT NULL REFERENCES work_orders(id) ON DELETE CASCADE,
            label VARCHAR(64) NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now())
        """,
        """
        CREATE TABLE work_order_annotations (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            work_order_id UUID NOT NULL REFERENCES work_orders(id) ON DELETE CASCADE,
            key VARCHAR(64) NOT NULL,
            value VARCHAR(64) NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now())
        """,
        """
        CREATE TABLE deployment_health (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            agent_id UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            deployment_object_id UUID NOT NULL REFERENCES deployment_objects(id) ON DELETE CASCADE,
            status VARCHAR(20) NOT NULL CHECK (status IN ('healthy', 'degraded', 'failing', 'unknown')),
            summary TEXT,
            checked_at TIMESTAMPTZ NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            CONSTRAINT unique_agent_deployment_health UNIQUE (agent_id, deployment_object_id))
        """,
        "CREATE INDEX idx_deployment_health_deployment ON deployment_health (deployment_object_id)",
        "CREATE INDEX idx_deployment_health_status ON deployment_health (status)",
        """
        CREATE TABLE diagnostic_requests (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            agent_id UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
            deployment_object_id UUID NOT NULL REFERENCES deployment_objects(id) ON DELETE CASCADE,
            status VARCHAR(20) NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'claimed', 'completed', 'failed', 'expired')),
            requested_by VARCHAR(255),
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            claimed_at TIMESTAMPTZ,
            completed_at TIMESTAMPTZ,
            expires_at TIMESTAMPTZ NOT NULL)
        """,
        "CREATE INDEX idx_diagnostic_requests_agent_pending ON diagnostic_requests (agent_id) WHERE status = 'pending'",
        "CREATE INDEX idx_diagnostic_requests_expires ON diagnostic_requests (expires_at)",
        """
        CREATE TABLE diagnostic_results (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            request_id UUID NOT NULL REFERENCES diagnostic_requests(id) ON DELETE CASCADE,
            pod_statuses TEXT NOT NULL,
            events TEXT NOT NULL,
            log_tails TEXT,
            collected_at TIMESTAMPTZ NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now())
        """,
        "CREATE INDEX idx_diagnostic_results_request ON diagnostic_results (request_id)",
    ]

    static let webhookAndAuditTables = [
        """
        CREATE TABLE webhook_subscriptions (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            name VARCHAR(255) NOT NULL,
            url_encrypted BYTEA NOT NULL,
            auth_header_encrypted BYTEA,
            event_types TEXT[] NOT NULL,
            filters TEXT,
            target_labels TEXT[],
            enabled BOOLEAN NOT NULL DEFAULT true,
            max_retries INTEGER NOT NULL DEFAULT 5,
            timeout_seconds INTEGER NOT NULL DEFAULT 30,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            created_by TEXT)
        """,
        // Queue columns: status/claimed_by/acquired_until/attempts/next_retry_at/last_error are the lease
        // of Sources/Queue's claim primitive; acquired_by is the agent for agent-delivered webhooks.
        """
        CREATE TABLE webhook_deliveries (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            subscription_id UUID NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
            event_type TEXT NOT NULL,
            event_id UUID NOT NULL,
            payload TEXT NOT NULL,
            target_labels TEXT[],
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acquired', 'success', 'failed', 'dead')),
            claimed_by TEXT,
            acquired_by UUID,
            acquired_until TIMESTAMPTZ,
            attempts INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL DEFAULT 5,
            last_attempt_at TIMESTAMPTZ,
            next_retry_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            last_error TEXT,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            completed_at TIMESTAMPTZ,
            UNIQUE (subscription_id, event_id))
        """,
        "CREATE INDEX idx_webhook_deliveries_due ON webhook_deliveries (next_retry_at) WHERE status IN ('pending', 'failed')",
        "CREATE INDEX idx_webhook_deliveries_lease ON webhook_deliveries (acquired_until) WHERE status = 'acquired'",
        "CREATE INDEX idx_webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at DESC)",
        """
        CREATE TABLE audit_logs (
            id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            timestamp TIMESTAMPTZ NOT NULL DEFAULT now(),
            actor_type TEXT NOT NULL CHECK (actor_type IN ('admin', 'agent', 'generator', 'system')),
            actor_id UUID,
            action TEXT NOT NULL,
            resource_type TEXT NOT NULL,
            resource_id UUID,
            details JSONB,
            ip_address TEXT,
            user_agent TEXT,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now())
        """,
        "CREATE INDEX idx_audit_logs_timestamp ON audit_logs (timestamp DESC)",
        "CREATE INDEX idx_audit_logs_actor ON audit_logs (actor_type, actor_id, timestamp DESC)",
        "CREATE INDEX idx_audit_logs_resource ON audit_logs (resource_type, resource_id, timestamp DESC)",
        "CREATE INDEX idx_audit_logs_action ON audit_logs (action, timestamp DESC)",
        "CREATE INDEX idx_audit_logs_cleanup ON audit_logs (created_at)",
        // The transactional outbox: written with the change, moved into audit_logs by brokkr-audit.
        """
        CREATE TABLE audit_outbox (
            seq BIGSERIAL PRIMARY KEY,
            id UUID NOT NULL DEFAULT gen_random_uuid(),
            timestamp TIMESTAMPTZ NOT NULL DEFAULT now(),
            actor_type TEXT NOT NULL,
            actor_id UUID,
            action TEXT NOT NULL,
            resource_type TEXT NOT NULL,
            resource_id UUID,
            details JSONB,
            ip_address TEXT,
            user_agent TEXT)
        """,
    ]

    static let triggers = [
        // Stack soft delete: soft-delete its live objects, then add a deletion marker for agents.
        """
        CREATE OR REPLACE FUNCTION handle_stack_soft_delete() RETURNS trigger AS $$
        BEGIN
            IF NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL THEN
                UPDATE deployment_objects SET deleted_at = NEW.deleted_at
                    WHERE stack_id = NEW.id AND deleted_at IS NULL;
                INSERT INTO deployment_objects (stack_id, yaml_content, is_deletion_marker)
                    VALUES (NEW.id, '', TRUE);
            END IF;
            RETURN NEW;
        END; $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER trigger_handle_stack_soft_delete AFTER UPDATE OF deleted_at ON stacks
            FOR EACH ROW EXECUTE FUNCTION handle_stack_soft_delete()
        """,
        """
        CREATE OR REPLACE FUNCTION cascade_soft_delete_generators() RETURNS trigger AS $$
        BEGIN
            IF NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL THEN
                UPDATE stacks SET deleted_at = NEW.deleted_at WHERE generator_id = NEW.id AND deleted_at IS NULL;
            END IF;
            RETURN NEW;
        END; $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER cascade_soft_delete_generators AFTER UPDATE ON generators
            FOR EACH ROW EXECUTE FUNCTION cascade_soft_delete_generators()
        """,
        """
        CREATE OR REPLACE FUNCTION handle_stack_hard_delete() RETURNS trigger AS $$
        BEGIN
            DELETE FROM agent_targets WHERE stack_id = OLD.id;
            DELETE FROM agent_events WHERE deployment_object_id IN (SELECT id FROM deployment_objects WHERE stack_id = OLD.id);
            DELETE FROM deployment_objects WHERE stack_id = OLD.id;
            RETURN OLD;
        END; $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER trigger_stack_hard_delete BEFORE DELETE ON stacks
            FOR EACH ROW EXECUTE FUNCTION handle_stack_hard_delete()
        """,
        """
        CREATE OR REPLACE FUNCTION cascade_soft_delete_agent_events() RETURNS trigger AS $$
        BEGIN
            IF NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL THEN
                UPDATE agent_events SET deleted_at = NEW.deleted_at WHERE agent_id = NEW.id AND deleted_at IS NULL;
            END IF;
            RETURN NEW;
        END; $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER trigger_agent_soft_delete AFTER UPDATE OF deleted_at ON agents
            FOR EACH ROW EXECUTE FUNCTION cascade_soft_delete_agent_events()
        """,
        """
        CREATE OR REPLACE FUNCTION handle_agent_hard_delete() RETURNS trigger AS $$
        BEGIN
            DELETE FROM agent_targets WHERE agent_id = OLD.id;
            DELETE FROM agent_events WHERE agent_id = OLD.id;
            RETURN OLD;
        END; $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER trigger_agent_hard_delete BEFORE DELETE ON agents
            FOR EACH ROW EXECUTE FUNCTION handle_agent_hard_delete()
        """,
        // Deployment objects are immutable: only deleted_at and the deletion-marker flag may change.
        """
        CREATE OR REPLACE FUNCTION enforce_deployment_object_immutability() RETURNS trigger AS $$
        BEGIN
            IF NEW.id IS DISTINCT FROM OLD.id OR NEW.stack_id IS DISTINCT FROM OLD.stack_id
               OR NEW.yaml_content IS DISTINCT FROM OLD.yaml_content OR NEW.yaml_checksum IS DISTINCT FROM OLD.yaml_checksum
               OR NEW.sequence_id IS DISTINCT FROM OLD.sequence_id OR NEW.submitted_at IS DISTINCT FROM OLD.submitted_at
               OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
                RAISE EXCEPTION 'deployment objects are immutable; only deleted_at and is_deletion_marker may change';
            END IF;
            NEW.updated_at = now();
            RETURN NEW;
        END; $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER trigger_deployment_object_immutable BEFORE UPDATE ON deployment_objects
            FOR EACH ROW EXECUTE FUNCTION enforce_deployment_object_immutability()
        """,
        "CREATE TRIGGER update_agents_timestamp BEFORE UPDATE ON agents FOR EACH ROW EXECUTE FUNCTION update_timestamp()",
        "CREATE TRIGGER update_stacks_timestamp BEFORE UPDATE ON stacks FOR EACH ROW EXECUTE FUNCTION update_timestamp()",
        "CREATE TRIGGER update_generators_timestamp BEFORE UPDATE ON generators FOR EACH ROW EXECUTE FUNCTION update_timestamp()",
        "CREATE TRIGGER update_admin_role_timestamp BEFORE UPDATE ON admin_role FOR EACH ROW EXECUTE FUNCTION update_timestamp()",
        "CREATE TRIGGER update_agent_events_timestamp BEFORE UPDATE ON agent_events FOR EACH ROW EXECUTE FUNCTION update_timestamp()",
        "CREATE TRIGGER update_stack_templates_timestamp BEFORE UPDATE ON stack_templates FOR EACH ROW EXECUTE FUNCTION update_timestamp()",
        "CREATE TRIGGER update_work_orders_timestamp BEFORE UPDATE ON work_orders FOR EACH ROW EXECUTE FUNCTION update_timestamp()",
        "CREATE TRIGGER update_deployment_health_timestamp BEFORE UPDATE ON deployment_health FOR EACH ROW EXECUTE FUNCTION update_timestamp()",
        "CREATE TRIGGER update_webhook_subscriptions_timestamp BEFORE UPDATE ON webhook_subscriptions FOR EACH ROW EXECUTE FUNCTION update_timestamp()",
    ]

    static let webhookSigningAndQueueIndexes = [
        // Per-subscription HMAC secret for X-Brokkr-Signature (encrypted like the URL); NULL for rows
        // written by the original, which are then signed with their auth header if they have one.
        "ALTER TABLE webhook_subscriptions ADD COLUMN signing_secret_encrypted BYTEA",
        // `[]` target labels mean "broker delivers", like NULL: keep one spelling.
        "UPDATE webhook_subscriptions SET target_labels = NULL WHERE cardinality(target_labels) = 0",
        "UPDATE webhook_deliveries SET target_labels = NULL WHERE cardinality(target_labels) = 0",
        "CREATE INDEX idx_webhook_deliveries_broker_due ON webhook_deliveries (next_retry_at) WHERE status IN ('pending', 'failed') AND target_labels IS NULL",
        "CREATE INDEX idx_work_orders_claimed ON work_orders (claimed_at) WHERE status = 'CLAIMED'",
        "CREATE INDEX idx_work_order_targets_agent ON work_order_targets (agent_id)",
        "CREATE INDEX idx_work_order_labels_label ON work_order_labels (label)",
        "CREATE INDEX idx_work_order_annotations_kv ON work_order_annotations (key, value)",
        "CREATE INDEX idx_work_order_log_completed ON work_order_log (completed_at DESC)",
    ]

    /// Agents whose heartbeats stopped are marked by brokkr-cleanup; the next heartbeat clears the mark.
    static let agentHeartbeatLost = [
        "ALTER TABLE agents ADD COLUMN heartbeat_lost_at TIMESTAMPTZ",
        "CREATE INDEX idx_agents_heartbeat ON agents (COALESCE(last_heartbeat, created_at)) WHERE deleted_at IS NULL AND heartbeat_lost_at IS NULL",
    ]

    /// New agents start INACTIVE until an admin (or the agent) sets them ACTIVE, as Brokkr's own
    /// schema does; existing agents keep their status. The unique indexes get the names Brokkr's
    /// clients see in `details.constraint` of a `unique_violation`.
    static let agentsStartInactive = [
        "ALTER TABLE agents ALTER COLUMN status SET DEFAULT 'INACTIVE'",
        "ALTER INDEX unique_agent_name_cluster RENAME TO unique_agent_cluster",
        "ALTER INDEX generators_name_unique RENAME TO unique_generator_name",
    ]

    /// The W3C `traceparent` of the request whose transaction wrote the delivery (NULL when not
    /// traced), so the worker's delivery span continues that trace.
    static let webhookDeliveryTraceContext = [
        "ALTER TABLE webhook_deliveries ADD COLUMN traceparent TEXT"
    ]
}
