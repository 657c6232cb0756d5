/// NOTIFY channels belong to the whole database, tenants to one schema of it. So every channel is
/// named for the schema it serves, `<name>.<schema>` (cut to PostgreSQL's 63-byte limit on names), and
/// one tenant's notifications reach only its own processes: a config reload in one tenant no longer
/// reloads the others, and its queue and target-state notifications wake nobody else's workers or
/// long polls. PostgreSQL computes the name from the session's `current_schema()` — the tenant
/// schema first on every connection's search_path (`public` without a tenant) — so senders,
/// listeners and the triggers' NOTIFY agree.
enum TenantChannel {
    /// The SQL expression of channel `name` in the session's schema; `name` is a constant of this code base.
    static func sql(_ name: String) -> String { "left('\(name).' || current_schema(), 63)" }
}
