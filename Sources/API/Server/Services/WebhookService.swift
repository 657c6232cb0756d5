import BrokkrCommon
import BrokkrQueue
import Foundation

/// Every change to a webhook subscription, with its audit entry; URL, auth header and signing secret
/// are encrypted before they are stored. Test deliveries are queued rows, never sent from here.
struct WebhookService {
    let s: BrokerServices

    static let notFound = APIError(.webhookNotFound, "Webhook subscription not found")

    /// The new subscription and its signing secret (shown once).
    func create(
        _ fields: WebhookSubscriptionStore.Fields, url: String, authHeader: String?, by actor: ChangeActor
    ) async throws -> (subscription: WebhookResponse, signingSecret: String) {
        let cipher = try s.webhookCipher()
        let secret = WebhookSignature.newSecret()
        let encrypted = WebhookSubscriptionStore.Encrypted(
            url: try cipher.encrypt(url), authHeader: try authHeader.map { try cipher.encrypt($0) }, signingSecret: try cipher.encrypt(secret))
        let created = try await s.change(by: actor) { change in
            let created = try await WebhookSubscriptionStore(sql: change.tx).create(fields, encrypted, createdBy: actor.actorType)
            try await change.audit(
                "webhook.created", "webhook_subscription", created.id,
                details: .object(["name": .string(fields.name), "event_types": .array(fields.eventTypes.map(JSONValue.string))]))
            return created
        }
        return (created, secret)
    }

    func update(_ id: UUID, _ update: WebhookSubscriptionStore.Update, by actor: ChangeActor) async throws -> WebhookResponse {
        try await s.change(by: actor) { change in
            guard let updated = try await WebhookSubscriptionStore(sql: change.tx).update(id, update) else { throw Self.notFound }
            try await change.audit(
                "webhook.updated", "webhook_subscription", id, details: .object(["name": .string(updated.name), "enabled": .bool(updated.enabled)]))
            return updated
        }
    }

    func delete(_ id: UUID, by actor: ChangeActor) async throws {
        try await s.change(by: actor) { change in
            guard try await WebhookSubscriptionStore(sql: change.tx).delete(id) else { throw Self.notFound }
            try await change.audit("webhook.deleted", "webhook_subscription", id)
        }
    }

    /// Queues a `webhook.test` delivery (sent by brokkr-webhooks, or a matching agent); returns the
    /// delivery's and the event's ids.
    func queueTest(_ id: UUID) async throws -> (deliveryID: UUID, eventID: UUID) {
        guard let target = try await s.webhookSubscriptions.deliverySettings(id) else { throw Self.notFound }
        do { _ = try s.webhookCipher().decrypt(target.urlEncrypted) } catch {
            throw APIError(.internalError, "Failed to decrypt webhook URL")
        }
        let event = BrokkrEvent(
            eventType: BrokkrEventType.test,
            data: .object(["message": .string("This is a test webhook delivery from Brokkr"), "subscription_id": .string(id.lowercasedString)]))
        let deliveryID = try await s.database.withTransaction { tx in
            try await WebhookDeliveryStore(sql: tx).enqueueTest(
                event, subscriptionID: id, targetLabels: target.targetLabels, maxRetries: target.maxRetries)
        }
        return (deliveryID, event.id)
    }
}
