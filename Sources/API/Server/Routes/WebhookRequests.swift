import BrokkrCommon
import BrokkrQueue
import Foundation

/// Validated webhook requests (their rules are on the request types) → store input, with the
/// URL and auth header encrypted.
enum WebhookRequests {
    static func fields(_ r: CreateWebhookRequest) throws -> WebhookSubscriptionStore.Fields {
        WebhookSubscriptionStore.Fields(
            name: r.name, eventTypes: r.eventTypes, filters: try r.filters.map(ContractJSON.encodeString), targetLabels: r.targetLabels,
            maxRetries: r.maxRetries ?? WebhookRules.defaultMaxRetries, timeoutSeconds: r.timeoutSeconds ?? WebhookRules.defaultTimeoutSeconds)
    }

    static func update(_ r: UpdateWebhookRequest, cipher: WebhookCipher) throws -> WebhookSubscriptionStore.Update {
        var u = WebhookSubscriptionStore.Update()
        u.name = r.name
        u.url = try r.url.map { try cipher.encrypt($0) }
        if r.authHeader != .keep { u.authHeader = .set(try r.authHeader.newValue.map { try cipher.encrypt($0) }) }
        u.eventTypes = r.eventTypes
        if r.filters != .keep { u.filters = .set(try r.filters.newValue.map(ContractJSON.encodeString)) }
        if r.targetLabels != .keep { u.targetLabels = .set(r.targetLabels.newValue) }
        u.enabled = r.enabled
        u.maxRetries = r.maxRetries
        u.timeoutSeconds = r.timeoutSeconds
        return u
    }
}
