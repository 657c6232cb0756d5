import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// /webhooks: subscriptions (admin only). URL, auth header and signing secret are
/// encrypted at rest; the secret is shown once, on create. Nothing here sends HTTP: deliveries,
/// including test deliveries, are rows that brokkr-webhooks (or a matching agent) sends.
enum WebhookRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        let admin = AccessPolicy.admin()

        api.add(.get, "webhooks", admin, failure: "Failed to fetch webhook subscriptions") { _, _, _ in
            try JSONResponse.encode(try await s.webhookSubscriptions.list())
        }

        api.add(.get, "webhooks/event-types", admin, failure: "Failed to fetch event types") { _, _, _ in
            try JSONResponse.encode(BrokkrEventType.all)
        }

        api.add(.post, "webhooks", admin, failure: "Failed to create webhook subscription") { request, _, principal in
            let input = try await request.decode(as: CreateWebhookRequest.self)
            let fields = try WebhookRequests.fields(input)
            let cipher = try s.webhookCipher()
            let secret = WebhookSignature.newSecret()
            let encrypted = WebhookSubscriptionStore.Encrypted(
                url: try cipher.encrypt(input.url), authHeader: try input.authHeader.map { try cipher.encrypt($0) },
                signingSecret: try cipher.encrypt(secret))
            let created = try await s.transaction { tx -> WebhookResponse in
                let created = try await WebhookSubscriptionStore(sql: tx).create(fields, encrypted, createdBy: principal.actorType)
                try await s.audit(
                    tx, principal, "webhook.created", resourceType: "webhook_subscription", resourceID: created.id,
                    details: .object(["name": .string(fields.name), "event_types": .array(fields.eventTypes.map(JSONValue.string))]),
                    request: request)
                return created
            }
            return try JSONResponse.encode(CreatedWebhookResponse(subscription: created, signingSecret: secret), status: .created)
        }

        api.add(.get, "webhooks/:id", admin, failure: "Failed to fetch webhook subscription") { _, context, _ in
            guard let subscription = try await s.webhookSubscriptions.get(try context.uuid("id")) else { throw notFound }
            return try JSONResponse.encode(subscription)
        }

        api.add(.put, "webhooks/:id", admin, failure: "Failed to update webhook subscription") { request, context, principal in
            let id = try context.uuid("id")
            let update = try WebhookRequests.update(try await request.decode(as: UpdateWebhookRequest.self), cipher: try s.webhookCipher())
            let updated = try await s.transaction { tx -> WebhookResponse in
                guard let updated = try await WebhookSubscriptionStore(sql: tx).update(id, update) else { throw notFound }
                try await s.audit(
                    tx, principal, "webhook.updated", resourceType: "webhook_subscription", resourceID: id,
                    details: .object(["name": .string(updated.name), "enabled": .bool(updated.enabled)]), request: request)
                return updated
            }
            return try JSONResponse.encode(updated)
        }

        api.add(.delete, "webhooks/:id", admin, failure: "Failed to delete webhook subscription") { request, context, principal in
            let id = try context.uuid("id")
            try await s.transaction { tx in
                guard try await WebhookSubscriptionStore(sql: tx).delete(id) else { throw notFound }
                try await s.audit(tx, principal, "webhook.deleted", resourceType: "webhook_subscription", resourceID: id, request: request)
            }
            return JSONResponse.empty(.noContent)
        }

        api.add(.get, "webhooks/:id/deliveries", admin, failure: "Failed to fetch deliveries") { request, context, _ in
            let id = try context.uuid("id")
            guard try await s.webhookSubscriptions.get(id) != nil else { throw notFound }
            let q = request.uri.queryParameters
            let limit = try nonNegative(q["limit"], "limit") ?? 50
            let offset = try nonNegative(q["offset"], "offset") ?? 0
            return try JSONResponse.encode(
                try await s.webhookDeliveries.list(
                    subscriptionID: id, status: q["status"].map(String.init), limit: min(limit, 1000), offset: offset))
        }

        api.add(.post, "webhooks/:id/test", admin, failure: "Failed to queue test delivery") { _, context, _ in
            let id = try context.uuid("id")
            guard let target = try await s.webhookSubscriptions.deliverySettings(id) else { throw notFound }
            do { _ = try s.webhookCipher().decrypt(target.urlEncrypted) } catch {
                throw APIError(.internalError, "Failed to decrypt webhook URL")
            }
            let event = BrokkrEvent(
                eventType: BrokkrEventType.test,
                data: .object([
                    "message": .string("This is a test webhook delivery from Brokkr"), "subscription_id": .string(id.lowercasedString),
                ]))
            let deliveryID = try await s.transaction { tx in
                try await WebhookDeliveryStore(sql: tx).enqueueTest(
                    event, subscriptionID: id, targetLabels: target.targetLabels,
                    maxRetries: target.maxRetries)
            }
            return try JSONResponse.encode(
                WebhookTestResponse(success: true, message: "Test delivery queued", deliveryID: deliveryID, eventID: event.id))
        }
    }

    static let notFound = APIError(.webhookNotFound, "Webhook subscription not found")

    static func nonNegative(_ raw: Substring?, _ name: String) throws -> Int? {
        guard let raw else { return nil }
        guard let n = Int(raw), n >= 0 else { throw APIError(.invalidParameter, "\(name) must be a non-negative integer") }
        return n
    }
}
