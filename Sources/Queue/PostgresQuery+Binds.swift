import PostgresNIO

extension PostgresQuery {
    /// A query built as text (table and column names from a spec) with its values bound to `$1`, `$2`, …
    /// in order.
    init(unsafeSQL sql: String, binding values: any PostgresNonThrowingEncodable...) {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { binds.append(value) }
        self.init(unsafeSQL: sql, binds: binds)
    }
}
