extension SchemaMigrations {
    /// A per-agent target-state version for conditional and long-polled GET target-state. Triggers
    /// bump it in the same transaction as every write that can change what the agent's target state
    /// returns, whatever code path makes it, and NOTIFY `brokkr_target_state` with the agent id
    /// (delivered on commit, so a waiting request never sees an uncommitted version).
    ///
    /// The version lives in its own table rather than on `agents`: agent JSON is `to_jsonb(agents)`,
    /// `agents.updated_at` is maintained by a trigger, and heartbeats update the agent row; none of
    /// them should see or contend with a counter that moves on every event.
    static let targetStateVersions = [
        """
        CREATE TABLE agent_target_state_versions (
            agent_id UUID PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
            version BIGINT NOT NULL DEFAULT 0)
        """,
        // Bumps each (existing) agent once; agents are locked in id order so concurrent bumps of
        // overlapping sets cannot deadlock. Agents being deleted are skipped (their row is gone).
        """
        CREATE OR REPLACE FUNCTION bump_target_state(agent_ids UUID[]) RETURNS void AS $$
        BEGIN
            INSERT INTO agent_target_state_versions AS v (agent_id, version)
                SELECT id, 1 FROM agents WHERE id = ANY(agent_ids) ORDER BY id
                ON CONFLICT (agent_id) DO UPDATE SET version = v.version + 1;
            PERFORM pg_notify('brokkr_target_state', a::text) FROM (SELECT DISTINCT unnest(agent_ids) AS a) AS ids;
        END; $$ LANGUAGE plpgsql
        """,
        // The agents associated with a stack: the reverse of the API's agent -> stacks association
        // (a direct target, a shared label, or a shared annotation key and value).
        """
        CREATE OR REPLACE FUNCTION target_state_agents_of_stack(stack UUID) RETURNS UUID[] AS $$
            SELECT ARRAY(
                SELECT t.agent_id FROM agent_targets t WHERE t.stack_id = stack
                UNION SELECT al.agent_id FROM agent_labels al JOIN stack_labels sl ON sl.label = al.label WHERE sl.stack_id = stack
                UNION SELECT aa.agent_id FROM agent_annotations aa
                    JOIN stack_annotations sa ON sa.key = aa.key AND sa.value = aa.value WHERE sa.stack_id = stack)
        $$ LANGUAGE sql STABLE
        """,
        // Rows that belong to one agent: targets, labels, annotations and events.
        """
        CREATE OR REPLACE FUNCTION target_state_bump_agent_row() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                PERFORM bump_target_state(ARRAY[NEW.agent_id]);
            ELSIF TG_OP = 'DELETE' THEN
                PERFORM bump_target_state(ARRAY[OLD.agent_id]);
            ELSE
                PERFORM bump_target_state(ARRAY[OLD.agent_id, NEW.agent_id]);
            END IF;
            RETURN NULL;
        END; $$ LANGUAGE plpgsql
        """,
        // A new, deleted or soft-deleted object changes the latest object of its stack for every
        // associated agent (a stack delete adds a deletion marker, so it lands here too).
        """
        CREATE OR REPLACE FUNCTION target_state_bump_deployment_object() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                PERFORM bump_target_state(target_state_agents_of_stack(OLD.stack_id));
            ELSE
                PERFORM bump_target_state(target_state_agents_of_stack(NEW.stack_id));
            END IF;
            RETURN NULL;
        END; $$ LANGUAGE plpgsql
        """,
        // A stack label associates the stack with exactly the agents carrying the same label.
        """
        CREATE OR REPLACE FUNCTION target_state_bump_stack_label() RETURNS trigger AS $$
        DECLARE labels TEXT[];
        BEGIN
            IF TG_OP = 'INSERT' THEN labels := ARRAY[NEW.label];
            ELSIF TG_OP = 'DELETE' THEN labels := ARRAY[OLD.label];
            ELSE labels := ARRAY[OLD.label, NEW.label];
            END IF;
            PERFORM bump_target_state(ARRAY(SELECT agent_id FROM agent_labels WHERE label = ANY(labels)));
            RETURN NULL;
        END; $$ LANGUAGE plpgsql
        """,
        // A stack annotation associates the stack with the agents carrying the same key and value.
        """
        CREATE OR REPLACE FUNCTION target_state_bump_stack_annotation() RETURNS trigger AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                PERFORM bump_target_state(ARRAY(SELECT agent_id FROM agent_annotations WHERE key = OLD.key AND value = OLD.value));
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                PERFORM bump_target_state(ARRAY(SELECT agent_id FROM agent_annotations WHERE key = NEW.key AND value = NEW.value));
            END IF;
            RETURN NULL;
        END; $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER target_state_agent_targets AFTER INSERT OR UPDATE OR DELETE ON agent_targets
            FOR EACH ROW EXECUTE FUNCTION target_state_bump_agent_row()
        """,
        """
        CREATE TRIGGER target_state_agent_labels AFTER INSERT OR UPDATE OR DELETE ON agent_labels
            FOR EACH ROW EXECUTE FUNCTION target_state_bump_agent_row()
        """,
        """
        CREATE TRIGGER target_state_agent_annotations AFTER INSERT OR UPDATE OR DELETE ON agent_annotations
            FOR EACH ROW EXECUTE FUNCTION target_state_bump_agent_row()
        """,
        // Incremental target state leaves out objects the agent has reported an event for.
        """
        CREATE TRIGGER target_state_agent_events AFTER INSERT OR DELETE OR UPDATE OF deleted_at, deployment_object_id, agent_id ON agent_events
            FOR EACH ROW EXECUTE FUNCTION target_state_bump_agent_row()
        """,
        """
        CREATE TRIGGER target_state_deployment_objects AFTER INSERT OR UPDATE OR DELETE ON deployment_objects
            FOR EACH ROW EXECUTE FUNCTION target_state_bump_deployment_object()
        """,
        """
        CREATE TRIGGER target_state_stack_labels AFTER INSERT OR UPDATE OR DELETE ON stack_labels
            FOR EACH ROW EXECUTE FUNCTION target_state_bump_stack_label()
        """,
        """
        CREATE TRIGGER target_state_stack_annotations AFTER INSERT OR UPDATE OR DELETE ON stack_annotations
            FOR EACH ROW EXECUTE FUNCTION target_state_bump_stack_annotation()
        """,
    ]

    /// The target-state NOTIFY goes to the tenant's own channel (`TenantChannel`): before, every
    /// tenant's API processes were woken by every other tenant's changes. Migration 8's function again
    /// but for the channel, `TenantChannel.sql` written out (a released migration's text never changes,
    /// so it shares no code).
    static let targetStateNotifyPerSchema = [
        """
        CREATE OR REPLACE FUNCTION bump_target_state(agent_ids UUID[]) RETURNS void AS $$
        BEGIN
            INSERT INTO agent_target_state_versions AS v (agent_id, version)
                SELECT id, 1 FROM agents WHERE id = ANY(agent_ids) ORDER BY id
                ON CONFLICT (agent_id) DO UPDATE SET version = v.version + 1;
            PERFORM pg_notify(left('brokkr_target_state.' || current_schema(), 63), a::text)
                FROM (SELECT DISTINCT unnest(agent_ids) AS a) AS ids;
        END; $$ LANGUAGE plpgsql
        """
    ]

    /// Writes that change which agents a stack reaches, or what it brings them, are serialised per
    /// schema, so that no version bump depends on which of two concurrent transactions commits first.
    ///
    /// Without it, under READ COMMITTED: a new target (agent A → stack S) commits and bumps A, while a
    /// deployment object inserted into S concurrently computed S's agents from a snapshot without the
    /// target and skipped A. A, having polled between the two commits, then holds the tag of a version
    /// whose document lacks the object, and gets `304` until something else bumps it. The same holds
    /// for labels and annotations meeting from either side.
    ///
    /// Every statement on those tables first takes one transaction-level advisory lock (a `BEFORE …
    /// FOR EACH STATEMENT` trigger); the row triggers that compute whom to bump run after it, and each of
    /// their statements takes a fresh snapshot, so the later of two writers sees the earlier one's
    /// rows. The lock is taken before any version row is locked, which keeps lock order and so rules
    /// out deadlocks; agent events bump only their own agent and stay outside it. Hard deletes of
    /// agents and stacks take it first as well, since their cascades reach these tables.
    static let targetStateWriteLock =
        [
            """
            CREATE OR REPLACE FUNCTION lock_target_state_writes() RETURNS trigger AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtext(TG_TABLE_SCHEMA || '.brokkr_target_state'));
                RETURN NULL;
            END; $$ LANGUAGE plpgsql
            """
        ]
        + ["agent_targets", "agent_labels", "agent_annotations", "stack_labels", "stack_annotations", "deployment_objects"].map {
            """
            CREATE TRIGGER target_state_lock_\($0) BEFORE INSERT OR UPDATE OR DELETE ON \($0)
                FOR EACH STATEMENT EXECUTE FUNCTION lock_target_state_writes()
            """
        }
        + ["agents", "stacks"].map {
            "CREATE TRIGGER target_state_lock_\($0) BEFORE DELETE ON \($0) FOR EACH STATEMENT EXECUTE FUNCTION lock_target_state_writes()"
        }
}
