import Foundation
import PostgresNIO

/// Describes a table that holds queued work and the names of its lease columns. Names are
/// compile-time constants of this code base, never user input, so they are interpolated into SQL;
/// all values are bound.
public struct QueueSpec: Sendable {
    public var table: String
    public var statusColumn = "status"
    public var ownerColumn = "claimed_by"
    public var leaseColumn = "lease_until"
    public var attemptsColumn = "attempts"
    public var maxAttemptsColumn = "max_attempts"
    public var runAtColumn = "run_at"
    public var lastErrorColumn = "last_error"
    public var lastAttemptColumn: String? = nil
    public var completedAtColumn: String? = nil
    public var readyStatuses = ["pending", "failed"]
    public var claimedStatus = "claimed"
    public var doneStatus = "done"
    public var retryStatus = "failed"
    public var deadStatus = "dead"
    /// Channel producers NOTIFY after enqueueing, so idle claimers wake at once.
    public var channel: String
    /// Back-off after the n-th failed attempt: base * 2^(n-1), capped, with ±20% jitter.
    public var baseBackoffSeconds: Double = 1
    public var maxBackoffSeconds: Double = 3600

    public init(table: String, channel: String) {
        self.table = table
        self.channel = channel
    }

    /// The webhook delivery table of the contract (`acquired_until`, `next_retry_at`, …).
    public static let webhookDeliveries: QueueSpec = {
        var spec = QueueSpec(table: "webhook_deliveries", channel: "brokkr_webhook_deliveries")
        spec.leaseColumn = "acquired_until"
        spec.runAtColumn = "next_retry_at"
        spec.lastAttemptColumn = "last_attempt_at"
        spec.completedAtColumn = "completed_at"
        spec.claimedStatus = "acquired"
        spec.doneStatus = "success"
        spec.baseBackoffSeconds = 2
        return spec
    }()
}

/// Narrows a claim to some of the due rows (`predicate`, over the queue table's columns) and records
/// more on the claimed rows (`assignments`). Both may use parameters numbered from `$6`, whose values
/// `appendBinds` appends in order. Text comes from this code base, never from input.
public struct ClaimFilter: Sendable {
    public var predicate: String?
    public var assignments: String?
    public var appendBinds: @Sendable (inout PostgresBindings) -> Void

    public init(predicate: String? = nil, assignments: String? = nil, appendBinds: @escaping @Sendable (inout PostgresBindings) -> Void = { _ in }) {
        self.predicate = predicate
        self.assignments = assignments
        self.appendBinds = appendBinds
    }

    public static let none = ClaimFilter()
}

/// One unit of claimed work: its id and which attempt this is (1 for the first).
public struct QueueClaim: Sendable, Hashable {
    public let id: UUID
    public let attempt: Int
}

public enum QueueFailureOutcome: Sendable, Equatable {
    case retryScheduled
    case dead
    /// The claim was no longer ours (lease expired and recovered by someone else).
    case notOwned
}

/// The claim/lease/complete/retry primitive every worker uses. Claims use `FOR UPDATE SKIP LOCKED`,
/// so any number of claimers (threads or processes) can run against one table without handing a row
/// out twice; a claimer that dies leaves a lease that `recoverExpiredLeases` returns to the queue.
public struct WorkQueue: Sendable {
    public let spec: QueueSpec
    public let sql: any SQLExecutor

    public init(spec: QueueSpec, sql: any SQLExecutor) {
        self.spec = spec
        self.sql = sql
    }

    /// Claims up to `limit` due rows for `owner` with a lease of `leaseSeconds`; `filter` narrows
    /// which rows this claimer may take and what else the claim records.
    public func claim(owner: String, limit: Int, leaseSeconds: Int, filter: ClaimFilter = .none) async throws -> [QueueClaim] {
        let s = spec
        var sql = """
            WITH due AS (
                SELECT id FROM \(s.table)
                WHERE \(s.statusColumn) = ANY($1) AND \(s.runAtColumn) <= now()\(filter.predicate.map { " AND (\($0))" } ?? "")
                ORDER BY \(s.runAtColumn)
                LIMIT $2
                FOR UPDATE SKIP LOCKED)
            UPDATE \(s.table) AS q SET
                \(s.statusColumn) = $3, \(s.ownerColumn) = $4,
                \(s.leaseColumn) = now() + make_interval(secs => $5),
                \(s.attemptsColumn) = q.\(s.attemptsColumn) + 1
            """
        if let lastAttempt = s.lastAttemptColumn { sql += ", \(lastAttempt) = now()" }
        if let assignments = filter.assignments { sql += ", \(assignments)" }
        sql += " FROM due WHERE q.id = due.id RETURNING q.id, q.\(s.attemptsColumn)"
        var query = PostgresQuery(unsafeSQL: sql, binding: s.readyStatuses, limit, s.claimedStatus, owner, Double(leaseSeconds))
        filter.appendBinds(&query.binds)
        var claims: [QueueClaim] = []
        for try await (id, attempt) in try await self.sql.rows(query).decode((UUID, Int).self) {
            claims.append(QueueClaim(id: id, attempt: attempt))
        }
        return claims
    }

    /// Marks a claimed row done. Returns false when the claim is no longer held by `owner`.
    @discardableResult
    public func complete(_ id: UUID, owner: String) async throws -> Bool {
        try await !complete([id], owner: owner).isEmpty
    }

    /// Marks several claimed rows done in one statement; returns the ids that were still `owner`'s.
    public func complete(_ ids: [UUID], owner: String) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let s = spec
        var sql = "UPDATE \(s.table) SET \(s.statusColumn) = $1, \(s.leaseColumn) = NULL, \(s.lastErrorColumn) = NULL"
        if let completed = s.completedAtColumn { sql += ", \(completed) = now()" }
        sql += " WHERE id = ANY($2) AND \(s.statusColumn) = $3 AND \(s.ownerColumn) = $4 RETURNING id"
        let query = PostgresQuery(unsafeSQL: sql, binding: s.doneStatus, ids, s.claimedStatus, owner)
        var done = Set<UUID>()
        for try await id in try await self.sql.rows(query).decode(UUID.self) { done.insert(id) }
        return done
    }

    /// Records a failed attempt: schedules a retry with exponential back-off and jitter, or marks the
    /// row dead once it has used its attempts (at once when `permanent`: retrying cannot help).
    public func fail(_ id: UUID, owner: String, error: String, permanent: Bool = false) async throws -> QueueFailureOutcome {
        let s = spec
        var sql = """
            UPDATE \(s.table) SET
                \(s.statusColumn) = CASE WHEN $9 OR \(s.attemptsColumn) >= \(s.maxAttemptsColumn) THEN $1 ELSE $2 END,
                \(s.leaseColumn) = NULL,
                \(s.lastErrorColumn) = $3,
                \(s.runAtColumn) = now() + make_interval(secs => LEAST($4 * power(2, GREATEST(\(s.attemptsColumn) - 1, 0)), $5) * (0.8 + random() * 0.4))
            """
        if let completed = s.completedAtColumn {
            sql += ", \(completed) = CASE WHEN $9 OR \(s.attemptsColumn) >= \(s.maxAttemptsColumn) THEN now() ELSE NULL END"
        }
        sql += " WHERE id = $6 AND \(s.statusColumn) = $7 AND \(s.ownerColumn) = $8 RETURNING \(s.statusColumn)"
        let query = PostgresQuery(
            unsafeSQL: sql, binding: s.deadStatus, s.retryStatus, String(error.prefix(4000)), s.baseBackoffSeconds, s.maxBackoffSeconds,
            id, s.claimedStatus, owner, permanent)
        for try await status in try await self.sql.rows(query).decode(String.self) {
            return status == s.deadStatus ? .dead : .retryScheduled
        }
        return .notOwned
    }

    /// Extends the lease of a claim still held by `owner` (for long-running work).
    @discardableResult
    public func extendLease(_ id: UUID, owner: String, leaseSeconds: Int) async throws -> Bool {
        let s = spec
        let sql = """
            UPDATE \(s.table) SET \(s.leaseColumn) = now() + make_interval(secs => $1)
            WHERE id = $2 AND \(s.statusColumn) = $3 AND \(s.ownerColumn) = $4 RETURNING id
            """
        return try await self.sql.affectedRows(PostgresQuery(unsafeSQL: sql, binding: Double(leaseSeconds), id, s.claimedStatus, owner)) > 0
    }

    /// Returns rows whose lease expired (their claimer died or hung) to the queue, due now, or marks
    /// them dead when their attempts are used up. Safe to run from every claimer at once.
    @discardableResult
    public func recoverExpiredLeases(limit: Int = 500) async throws -> Int {
        let s = spec
        let sql = """
            WITH expired AS (
                SELECT id FROM \(s.table)
                WHERE \(s.statusColumn) = $1 AND \(s.leaseColumn) < now()
                LIMIT $2
                FOR UPDATE SKIP LOCKED)
            UPDATE \(s.table) AS q SET
                \(s.statusColumn) = CASE WHEN q.\(s.attemptsColumn) >= q.\(s.maxAttemptsColumn) THEN $3 ELSE $4 END,
                \(s.leaseColumn) = NULL,
                \(s.lastErrorColumn) = COALESCE(q.\(s.lastErrorColumn), 'lease expired'),
                \(s.runAtColumn) = now()
            FROM expired WHERE q.id = expired.id RETURNING q.id
            """
        return try await self.sql.affectedRows(PostgresQuery(unsafeSQL: sql, binding: s.claimedStatus, limit, s.deadStatus, s.retryStatus))
    }

    /// Wakes listening claimers (of this tenant, `TenantChannel`). Call inside the producer's transaction:
    /// NOTIFY is sent at commit.
    public static func notify(_ channel: String, on sql: any SQLExecutor) async throws {
        _ = try await sql.rows("SELECT pg_notify(\(unescaped: TenantChannel.sql(channel)), '')")
    }
}
