import BrokkrCommon
import Foundation

/// `CreateWebhookRequest` / `UpdateWebhookRequest` → validated store input (spec 05 §1.3). Updates
/// are checked by the same rules as creates where a field is given (the original checked nothing).
enum WebhookRequests {
    struct Create {
        var fields: WebhookSubscriptionStore.Fields
        var url: String
        var authHeader: String?
    }

    static func create(_ body: RequestBody) throws -> Create {
        let url = try body.requiredString("url")
        try checkURL(url)
        let fields = WebhookSubscriptionStore.Fields(
            name: try body.requiredString("name"), eventTypes: try body.optionalStringArray("event_types") ?? [],
            filters: try filtersText(body), targetLabels: try body.optionalStringArray("target_labels"),
            maxRetries: try body.optionalInt("max_retries") ?? 5, timeoutSeconds: try body.optionalInt("timeout_seconds") ?? 30)
        if let problem = nameProblem(fields.name) ?? eventTypesProblem(fields.eventTypes)
            ?? retriesProblem(fields.maxRetries) ?? timeoutProblem(fields.timeoutSeconds) {
            throw APIError(.invalidWebhook, problem)
        }
        let authHeader = try body.optionalString("auth_header")
        try authHeader.map(checkHeaderValue)
        return Create(fields: fields, url: url, authHeader: authHeader)
    }

    /// Omitted fields stay; `null` clears `auth_header`, `filters` and `target_labels`.
    static func update(_ body: RequestBody, cipher: WebhookCipher) throws -> WebhookSubscriptionStore.Update {
        var u = WebhookSubscriptionStore.Update()
        u.name = try body.optionalString("name")
        if let url = try body.optionalString("url") {
            try checkURL(url)
            u.url = try cipher.encrypt(url)
        }
        if try body.has("auth_header") {
            let header = try body.optionalString("auth_header")
            try header.map(checkHeaderValue)
            u.authHeader = .set(try header.map { try cipher.encrypt($0) })
        }
        u.eventTypes = try body.optionalStringArray("event_types")
        if try body.has("filters") { u.filters = .set(try filtersText(body)) }
        if try body.has("target_labels") { u.targetLabels = .set(try body.optionalStringArray("target_labels")) }
        u.enabled = try body.optionalBool("enabled")
        u.maxRetries = try body.optionalInt("max_retries")
        u.timeoutSeconds = try body.optionalInt("timeout_seconds")
        if let problem = u.name.flatMap(nameProblem) ?? u.eventTypes.flatMap(eventTypesProblem)
            ?? u.maxRetries.flatMap(retriesProblem) ?? u.timeoutSeconds.flatMap(timeoutProblem) {
            throw APIError(.invalidWebhook, problem)
        }
        return u
    }

    /// `WebhookFilters` `{agent_id?, stack_id?, labels?: {k: v}}`, stored as JSON text.
    static func filtersText(_ body: RequestBody) throws -> String? {
        guard let filters = try body.optionalObject("filters") else { return nil }
        var out: [String: JSONValue] = [:]
        if let agent = try filters.optionalUUID("agent_id") { out["agent_id"] = .string(agent.lowercasedString) }
        if let stack = try filters.optionalUUID("stack_id") { out["stack_id"] = .string(stack.lowercasedString) }
        if let labels = try filters.optionalStringMap("labels") {
            out["labels"] = .object(Dictionary(uniqueKeysWithValues: labels.map { ($0.0, JSONValue.string($0.1)) }))
        }
        return JSONValue.object(out).serialized()
    }

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
              URL(string: url) != nil else {
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
