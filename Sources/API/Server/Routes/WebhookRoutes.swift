import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// /webhooks: subscriptions (admin only, spec 05 §1). URL, auth header and signing secret are
/// encrypted at rest; the secret is shown once, on create. Nothing here sends HTTP: deliveries,
/// including test deliveries, are rows that brokkr-webhooks (or a matching agent) sends.
enum WebhookRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        let admin = AccessPolicy.admin()

        api.add(.get, "webhooks", admin, failure: "Failed to fetch webhook subscriptions") { _, _, _ in
            JSONResponse.raw(try await s.webhookSubscriptions.listJSON())
        }

        api.add(.get, "webhooks/event-types", admin, failure: "Failed to fetch event types") { _, _, _ in
            JSONResponse.raw(JSONValue.array(BrokkrEventType.all.map(JSONValue.string)).serialized())
        }

        api.add(.post, "webhooks", admin, failure: "Failed to create webhook subscription") { request, _, principal in
            let input = try WebhookRequests.create(try await RequestBody.read(request))
            let cipher = try s.webhookCipher()
            let secret = WebhookSignature.newSecret()
            let encrypted = WebhookSubscriptionStore.Encrypted(
                url: try cipher.encrypt(input.url), authHeader: try input.authHeader.map { try cipher.encrypt($0) },
                signingSecret: try cipher.encrypt(secret))
            let json = try await s.transaction { tx -> String in
                let (id, json) = try await WebhookSubscriptionStore(sql: tx).create(input.fields, encrypted, createdBy: principal.actorType)
                try await s.audit(tx, principal, "webhook.created", resourceType: "webhook_subscription", resourceID: id,
                                  details: .object(["name": .string(input.fields.name),
                                                    "event_types": .array(input.fields.eventTypes.map(JSONValue.string))]),
                                  request: request)
                return json
            }
            guard case .object(var created) = try JSONValue.parse(json) else { throw APIError(.internalError, "Failed to create webhook subscription") }
            created["signing_secret"] = .string(secret)
            return JSONResponse.raw(JSONValue.object(created).serialized(), status: .created)
        }

        api.add(.get, "webhooks/:id", admin, failure: "Failed to fetch webhook subscription") { _, context, _ in
            guard let json = try await s.webhookSubscriptions.getJSON(try context.uuid("id")) else { throw notFound }
            return JSONResponse.raw(json)
        }

        api.add(.put, "webhooks/:id", admin, failure: "Failed to update webhook subscription") { request, context, principal in
            let id = try context.uuid("id")
            let update = try WebhookRequests.update(try await RequestBody.read(request), cipher: try s.webhookCipher())
            let json = try await s.transaction { tx -> String in
                guard let json = try await WebhookSubscriptionStore(sql: tx).update(id, update) else { throw notFound }
                let row = try JSONValue.parse(json)
                try await s.audit(tx, principal, "webhook.updated", resourceType: "webhook_subscription", resourceID: id,
                                  details: .object(["name": row["name"] ?? .null, "enabled": row["enabled"] ?? .null]), request: request)
                return json
            }
            return JSONResponse.raw(json)
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
            guard try await s.webhookSubscriptions.getJSON(id) != nil else { throw notFound }
            let q = request.uri.queryParameters
            let limit = try nonNegative(q["limit"], "limit") ?? 50, offset = try nonNegative(q["offset"], "offset") ?? 0
            return JSONResponse.raw(try await s.webhookDeliveries.listJSON(
                subscriptionID: id, status: q["status"].map(String.init), limit: min(limit, 1000), offset: offset))
        }

        api.add(.post, "webhooks/:id/test", admin, failure: "Failed to queue test delivery") { _, context, _ in
            let id = try context.uuid("id")
            guard let target = try await s.webhookSubscriptions.deliverySettings(id) else { throw notFound }
            do { _ = try s.webhookCipher().decrypt(target.urlEncrypted) } catch {
                throw APIError(.internalError, "Failed to decrypt webhook URL")
            }
            let event = BrokkrEvent(eventType: BrokkrEventType.test, data: .object([
                "message": .string("This is a test webhook delivery from Brokkr"), "subscription_id": .string(id.lowercasedString),
            ]))
            let deliveryID = try await s.transaction { tx in
                try await WebhookDeliveryStore(sql: tx).enqueueTest(event, subscriptionID: id, targetLabels: target.targetLabels,
                                                                   maxRetries: target.maxRetries, on: tx)
            }
            return JSONResponse.raw(JSONValue.object([
                "success": .bool(true), "message": .string("Test delivery queued"),
                "delivery_id": .string(deliveryID.lowercasedString), "event_id": .string(event.id.lowercasedString),
            ]).serialized())
        }
    }

    static let notFound = APIError(.webhookNotFound, "Webhook subscription not found")

    static func nonNegative(_ raw: Substring?, _ name: String) throws -> Int? {
        guard let raw else { return nil }
        guard let n = Int(raw), n >= 0 else { throw APIError(.invalidParameter, "\(name) must be a non-negative integer") }
        return n
    }
}
