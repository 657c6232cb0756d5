import BrokkrCommon
import Foundation
import NIOCore
import PostgresNIO

/// SQL for `webhook_subscriptions`. Responses are the safe view (`has_url`, `has_auth_header`):
/// encrypted columns never leave the database as JSON.
public struct WebhookSubscriptionStore: Sendable {
    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

    /// The columns of `WebhookResponse` for row `s`: whether secrets are set, never the secrets.
    static let response = """
        s.id, s.name, octet_length(s.url_encrypted) > 0 AS has_url, s.auth_header_encrypted IS NOT NULL AS has_auth_header,
        s.event_types, s.target_labels, s.enabled, s.max_retries, s.timeout_seconds, s.created_at, s.updated_at,
        s.created_by, s.filters::jsonb AS filters
        """

    public struct Encrypted: Sendable {
        public var url: [UInt8]
        public var authHeader: [UInt8]?
        public var signingSecret: [UInt8]?

        public init(
            url: [UInt8], authHeader: [UInt8]? = nil, signingSecret: [UInt8]? = nil
        ) {
            self.url = url
            self.authHeader = authHeader
            self.signingSecret = signingSecret
        }
    }

    public struct Fields: Sendable {
        public var name: String
        public var eventTypes: [String]
        public var filters: String?
        public var targetLabels: [String]?
        public var maxRetries: Int
        public var timeoutSeconds: Int

        public init(
            name: String, eventTypes: [String], filters: String? = nil, targetLabels: [String]? = nil, maxRetries: Int, timeoutSeconds: Int
        ) {
            self.name = name
            self.eventTypes = eventTypes
            self.filters = filters
            self.targetLabels = targetLabels
            self.maxRetries = maxRetries
            self.timeoutSeconds = timeoutSeconds
        }
    }

    public func create(_ f: Fields, _ e: Encrypted, createdBy: String) async throws -> WebhookResponse {
        try await sql.model(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO webhook_subscriptions AS s (name, url_encrypted, auth_header_encrypted, signing_secret_encrypted, event_types,
                        filters, target_labels, max_retries, timeout_seconds, created_by)
                    VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7::text[], '{}'), $8, $9, $10)
                    RETURNING \(Self.response)
                    """,
                binds: binds(
                    f.name, Self.bytes(e.url), e.authHeader.map(Self.bytes), e.signingSecret.map(Self.bytes), f.eventTypes,
                    f.filters, f.targetLabels, f.maxRetries, f.timeoutSeconds, createdBy)), as: WebhookResponse.self)!
    }

    public func list() async throws -> [WebhookResponse] {
        try await sql.models(
            PostgresQuery(unsafeSQL: "SELECT \(Self.response) FROM webhook_subscriptions s ORDER BY s.created_at"),
            as: WebhookResponse.self)
    }

    public func get(_ id: UUID) async throws -> WebhookResponse? {
        try await sql.model(
            PostgresQuery(unsafeSQL: "SELECT \(Self.response) FROM webhook_subscriptions s WHERE s.id = $1", binds: binds(id)),
            as: WebhookResponse.self)
    }

    /// What the test endpoint needs: the encrypted URL (to check it still decrypts) and the delivery settings.
    public func deliverySettings(_ id: UUID) async throws -> (urlEncrypted: [UInt8], targetLabels: [String]?, maxRetries: Int)? {
        try await sql.first(
            "SELECT url_encrypted, target_labels, max_retries FROM webhook_subscriptions WHERE id = \(id)",
            as: (ByteBuffer, [String]?, Int).self
        ).map { (Array($0.0.readableBytesView), $0.1, $0.2) }
    }

    /// A partial update: nil leaves a column as it is; the `Change` fields distinguish "clear" from "keep".
    public struct Update: Sendable {
        public enum Change<T: Sendable>: Sendable { case keep, set(T?) }
        public var name: String?
        public var url: [UInt8]?
        public var authHeader: Change<[UInt8]> = .keep
        public var eventTypes: [String]?
        public var filters: Change<String> = .keep
        public var targetLabels: Change<[String]> = .keep
        public var enabled: Bool?
        public var maxRetries: Int?
        public var timeoutSeconds: Int?

        /// Changes nothing until fields are set.
        public init() {}
    }

    public func update(_ id: UUID, _ u: Update) async throws -> WebhookResponse? {
        func pick<T>(_ c: Update.Change<T>) -> (Bool, T?) {
            if case .set(let v) = c { return (true, v) }
            return (false, nil)
        }
        let (setAuth, auth) = pick(u.authHeader)
        let (setFilters, filters) = pick(u.filters)
        let (setLabels, labels) = pick(u.targetLabels)
        return try await sql.model(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE webhook_subscriptions s SET
                        name = COALESCE($2, s.name), url_encrypted = COALESCE($3, s.url_encrypted),
                        auth_header_encrypted = CASE WHEN $4 THEN $5 ELSE s.auth_header_encrypted END,
                        event_types = COALESCE($6, s.event_types),
                        filters = CASE WHEN $7 THEN $8 ELSE s.filters END,
                        target_labels = CASE WHEN $9 THEN NULLIF($10::text[], '{}') ELSE s.target_labels END,
                        enabled = COALESCE($11, s.enabled), max_retries = COALESCE($12, s.max_retries),
                        timeout_seconds = COALESCE($13, s.timeout_seconds)
                    WHERE s.id = $1 RETURNING \(Self.response)
                    """,
                binds: binds(
                    id, u.name, u.url.map(Self.bytes), setAuth, auth.map(Self.bytes), u.eventTypes, setFilters, filters,
                    setLabels, labels, u.enabled, u.maxRetries, u.timeoutSeconds)), as: WebhookResponse.self)
    }

    /// Hard delete; its deliveries go with it (foreign key cascade).
    public func delete(_ id: UUID) async throws -> Bool {
        try await sql.affectedRows("DELETE FROM webhook_subscriptions WHERE id = \(id) RETURNING id") > 0
    }

    static func bytes(_ b: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: b) }

    private func binds(_ values: (any PostgresEncodable & Sendable)?...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values {
            if let value { binds.appendAny(value) } else { binds.appendNull() }
        }
        return binds
    }
}

extension PostgresBindings {
    mutating func appendAny<T: PostgresEncodable>(_ value: T) { try! append(value) }
}
