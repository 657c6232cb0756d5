import Foundation

/// A field of a partial update that tells "left out" (keep) from `null` (clear) from a value (set).
public enum PatchField<Value: Codable & Sendable & Equatable>: Sendable, Equatable {
    case keep
    case clear
    case set(Value)

    /// The value to store when the field is not `.keep`.
    public var newValue: Value? {
        if case .set(let value) = self { return value }
        return nil
    }
}

extension KeyedDecodingContainer {
    func decodePatch<Value>(_ type: Value.Type, forKey key: Key) throws -> PatchField<Value> {
        guard contains(key) else { return .keep }
        if try decodeNil(forKey: key) { return .clear }
        return .set(try decode(type, forKey: key))
    }
}

extension KeyedEncodingContainer {
    mutating func encodePatch<Value>(_ field: PatchField<Value>, forKey key: Key) throws {
        switch field {
        case .keep: break
        case .clear: try encodeNil(forKey: key)
        case .set(let value): try encode(value, forKey: key)
        }
    }
}

/// `PUT /webhooks/{id}`: every field optional; a left-out field stays, and `null` clears
/// `auth_header`, `filters` and `target_labels` (for the others `null` means "unchanged", as in the original).
public struct UpdateWebhookRequest: Codable, Sendable, Equatable {
    public var name: String?
    public var url: String?
    public var authHeader: PatchField<String>
    public var eventTypes: [String]?
    public var filters: PatchField<WebhookFilters>
    public var targetLabels: PatchField<[String]>
    public var enabled: Bool?
    public var maxRetries: Int?
    public var timeoutSeconds: Int?

    public init(
        name: String? = nil, url: String? = nil, authHeader: PatchField<String> = .keep, eventTypes: [String]? = nil,
        filters: PatchField<WebhookFilters> = .keep, targetLabels: PatchField<[String]> = .keep, enabled: Bool? = nil,
        maxRetries: Int? = nil, timeoutSeconds: Int? = nil
    ) {
        self.name = name
        self.url = url
        self.authHeader = authHeader
        self.eventTypes = eventTypes
        self.filters = filters
        self.targetLabels = targetLabels
        self.enabled = enabled
        self.maxRetries = maxRetries
        self.timeoutSeconds = timeoutSeconds
    }

    enum CodingKeys: String, CodingKey {
        case name, url, authHeader = "auth_header", eventTypes = "event_types", filters, targetLabels = "target_labels", enabled,
            maxRetries = "max_retries", timeoutSeconds = "timeout_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decodeIfPresent(String.self, forKey: .name), url: try c.decodeIfPresent(String.self, forKey: .url),
            authHeader: try c.decodePatch(String.self, forKey: .authHeader),
            eventTypes: try c.decodeIfPresent([String].self, forKey: .eventTypes),
            filters: try c.decodePatch(WebhookFilters.self, forKey: .filters),
            targetLabels: try c.decodePatch([String].self, forKey: .targetLabels),
            enabled: try c.decodeIfPresent(Bool.self, forKey: .enabled),
            maxRetries: try c.decodeIfPresent(Int.self, forKey: .maxRetries),
            timeoutSeconds: try c.decodeIfPresent(Int.self, forKey: .timeoutSeconds))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try name.map { try c.encode($0, forKey: .name) }
        try url.map { try c.encode($0, forKey: .url) }
        try c.encodePatch(authHeader, forKey: .authHeader)
        try eventTypes.map { try c.encode($0, forKey: .eventTypes) }
        try c.encodePatch(filters, forKey: .filters)
        try c.encodePatch(targetLabels, forKey: .targetLabels)
        try enabled.map { try c.encode($0, forKey: .enabled) }
        try maxRetries.map { try c.encode($0, forKey: .maxRetries) }
        try timeoutSeconds.map { try c.encode($0, forKey: .timeoutSeconds) }
    }
}

// MARK: - Validation; updates follow the create rules where a field is given.

extension CreateWebhookRequest: ValidatedRequest {
    public func validate() throws {
        try WebhookRules.checkURL(url)
        if let problem = WebhookRules.nameProblem(name) ?? WebhookRules.eventTypesProblem(eventTypes)
            ?? WebhookRules.retriesProblem(maxRetries ?? WebhookRules.defaultMaxRetries)
            ?? WebhookRules.timeoutProblem(timeoutSeconds ?? WebhookRules.defaultTimeoutSeconds)
        {
            throw APIError(.invalidWebhook, problem)
        }
        try authHeader.map(WebhookRules.checkHeaderValue)
    }
}

extension UpdateWebhookRequest: ValidatedRequest {
    public func validate() throws {
        try url.map(WebhookRules.checkURL)
        try authHeader.newValue.map(WebhookRules.checkHeaderValue)
        if let problem = name.flatMap(WebhookRules.nameProblem) ?? eventTypes.flatMap(WebhookRules.eventTypesProblem)
            ?? maxRetries.flatMap(WebhookRules.retriesProblem) ?? timeoutSeconds.flatMap(WebhookRules.timeoutProblem)
        {
            throw APIError(.invalidWebhook, problem)
        }
    }
}

public enum WebhookRules {
    public static let defaultMaxRetries = 5, defaultTimeoutSeconds = 30

    /// A URL the deliverer can send to: http(s), parsed strictly (a host, no spaces or control
    /// characters, a well-formed IPv6 literal and port).
    static func checkURL(_ url: String) throws {
        if url.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw APIError(.urlRequired, "URL is required") }
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw APIError(.invalidUrlScheme, "URL must start with http:// or https://")
        }
        guard url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }),
            let components = URLComponents(string: url), let host = components.host, !host.isEmpty,
            URL(string: url) != nil
        else {
            throw APIError(.invalidWebhook, "URL is not a valid http(s) URL")
        }
        if let port = components.port, !(1...65535).contains(port) { throw APIError(.invalidWebhook, "URL port must be between 1 and 65535") }
    }

    /// Header values are sent verbatim: CR, LF or NUL would let a value inject headers.
    static func checkHeaderValue(_ value: String) throws {
        if value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) {
            throw APIError(.invalidWebhook, "auth_header must not contain control characters (CR, LF, NUL)")
        }
    }

    static func nameProblem(_ name: String) -> String? {
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "Name cannot be empty" }
        if name.utf8.count > 255 { return "Name cannot exceed 255 characters" }
        return nil
    }

    static func eventTypesProblem(_ types: [String]) -> String? {
        types.isEmpty ? "At least one event type is required" : nil
    }

    static func retriesProblem(_ n: Int) -> String? { n < 0 ? "max_retries must be non-negative" : nil }
    static func timeoutProblem(_ n: Int) -> String? { (1...3600).contains(n) ? nil : "timeout_seconds must be between 1 and 3600" }
}
