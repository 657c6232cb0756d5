import Logging
import PostgresNIO

/// Where a store's SQL runs: the pool (reads, single writes) or an open transaction.
public protocol SQLExecutor: Sendable {
    func rows(_ query: PostgresQuery) async throws -> PostgresRowSequence
    /// Runs a named prepared statement (parsed and planned once per connection) — for hot queries.
    func prepared<S: PostgresPreparedStatement>(_ statement: S) async throws -> [S.Row]
    /// Runs `body` in a transaction: a new one on the pool, or the open one a `Transaction` is part of.
    func withTransaction<T: Sendable>(_ body: (Transaction) async throws -> T) async throws -> T
}

extension Database: SQLExecutor {
    public func rows(_ query: PostgresQuery) async throws -> PostgresRowSequence { try await self.query(query) }
    public func prepared<S: PostgresPreparedStatement>(_ statement: S) async throws -> [S.Row] {
        try await queries.time(S.sql) { try await Transaction.collect(try await client.execute(statement, logger: logger)) }
    }
    public func withTransaction<T: Sendable>(_ body: (Transaction) async throws -> T) async throws -> T {
        try await transaction { connection in try await body(Transaction(connection: connection, logger: logger, queries: queries)) }
    }
}

/// A connection inside `Database.transaction`.
public struct Transaction: SQLExecutor {
    public let connection: PostgresConnection
    public let logger: Logger
    let queries: QueryObserver

    public init(connection: PostgresConnection, logger: Logger, queries: QueryObserver = QueryObserver()) {
        self.connection = connection
        self.logger = logger
        self.queries = queries
    }

    public func rows(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await queries.time(query.sql) { try await connection.query(query, logger: logger) }
    }
    public func prepared<S: PostgresPreparedStatement>(_ statement: S) async throws -> [S.Row] {
        try await queries.time(S.sql) { try await Self.collect(try await connection.execute(statement, logger: logger)) }
    }

    static func collect<Rows: AsyncSequence>(_ rows: Rows) async throws -> [Rows.Element] {
        var out: [Rows.Element] = []
        for try await row in rows { out.append(row) }
        return out
    }
    public func withTransaction<T: Sendable>(_ body: (Transaction) async throws -> T) async throws -> T {
        try await body(self)
    }
}

extension SQLExecutor {
    /// The first column of the first row as text (JSON rendered by Postgres), or nil.
    public func text(_ query: PostgresQuery) async throws -> String? {
        for try await value in try await rows(query).decode(String?.self) { return value }
        return nil
    }

    /// A JSON array rendered by the query (`json_agg`), `[]` when there are no rows.
    public func array(_ query: PostgresQuery) async throws -> String {
        try await text(query) ?? "[]"
    }

    /// How many rows the statement returned (`RETURNING`): the rows a sweep or batch touched.
    public func affectedRows(_ query: PostgresQuery) async throws -> Int {
        var count = 0
        for try await _ in try await rows(query) { count += 1 }
        return count
    }

    public func first<each T: PostgresDecodable>(_ query: PostgresQuery, as types: (repeat each T).Type) async throws -> (repeat each T)? {
        for try await row in try await rows(query).decode(types) { return row }
        return nil
    }
}

extension SQLExecutor {
    /// The first column of the first row decoded as `T`, or nil when there is no row.
    public func firstValue<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type) async throws -> T? {
        for try await value in try await rows(query).decode(T.self) { return value }
        return nil
    }
}

extension SQLExecutor {
    /// Every row as a contract model (columns named as the model's fields).
    public func models<T: Decodable>(_ query: PostgresQuery, as type: T.Type) async throws -> [T] {
        try await rows(query).models(type)
    }

    /// The first row as a contract model together with one extra column the model does not hold
    /// (e.g. a key hash replaced by the same statement), or nil.
    public func model<T: Decodable, C: PostgresDecodable>(
        _ query: PostgresQuery, as type: T.Type, with column: String,
        as columnType: C.Type
    ) async throws -> (C, T)? {
        for try await row in try await rows(query) {
            return (try row.makeRandomAccess()[column].decode(C.self), try RowDecoder.decode(type, from: row))
        }
        return nil
    }

    /// The first row as a contract model, or nil.
    public func model<T: Decodable>(_ query: PostgresQuery, as type: T.Type) async throws -> T? {
        for try await row in try await rows(query) { return try RowDecoder.decode(type, from: row) }
        return nil
    }
}
