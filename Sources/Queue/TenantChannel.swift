import Logging
import PostgresNIO

/// NOTIFY channels belong to the whole database, tenants to one schema of it. So every channel is
/// named for the schema it serves, `<name>.<schema>` (cut to PostgreSQL's 63-byte limit on names), and
/// one tenant's notifications reach only its own processes: a config reload in one tenant no longer
/// reloads the others, and its queue and target-state notifications wake nobody else's workers or
/// long polls. Senders and the triggers' NOTIFY name the channel from the session's `current_schema()`
/// (they write the tenant's tables, so its schema exists and is first on the search_path).
enum TenantChannel {
    /// The SQL expression of channel `name` in the session's schema; `name` is a constant of this code base.
    static func sql(_ name: String) -> String { "left('\(name).' || current_schema(), 63)" }

    /// The channel a listener LISTENs on. With a tenant schema configured it is named from that: a
    /// listener may start before the schema is created, when `current_schema()` would still name
    /// `public`. (Unquoted on the search_path and in CREATE SCHEMA, the name is folded to lower case.)
    /// Without one, the tables live in the connection's `current_schema()`.
    static func listened(_ name: String, schema: String?, on connection: PostgresConnection, logger: Logger) async throws -> String {
        if let schema { return String("\(name).\(schema.lowercased())".prefix(63)) }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT \(sql(name))"), logger: logger).collect()
        guard let scoped = try rows.first?.decode(String?.self) ?? nil else { throw NoSchema(channel: name) }
        return scoped
    }

    /// The search_path names no existing schema.
    struct NoSchema: Error, CustomStringConvertible {
        let channel: String
        var description: String { "cannot LISTEN \(channel): no schema of the search_path exists" }
    }
}
