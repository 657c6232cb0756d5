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
            let created = try await WebhookService(s: s).create(
                try WebhookRequests.fields(input), url: input.url, authHeader: input.authHeader, by: ChangeActor(principal, request))
            return try JSONResponse.encode(
                CreatedWebhookResponse(subscription: created.subscription, signingSecret: created.signingSecret), status: .created)
        }

        api.add(.get, "webhooks/:id", admin, failure: "Failed to fetch webhook subscription") { _, context, _ in
            guard let subscription = try await s.webhookSubscriptions.get(try context.uuid("id")) else { throw notFound }
            return try JSONResponse.encode(subscription)
        }

        api.add(.put, "webhooks/:id", admin, failure: "Failed to update webhook subscription") { request, context, principal in
            let id = try context.uuid("id")
            let update = try WebhookRequests.update(try await request.decode(as: UpdateWebhookRequest.self), cipher: try s.webhookCipher())
            return try JSONResponse.encode(try await WebhookService(s: s).update(id, update, by: ChangeActor(principal, request)))
        }

        api.add(.delete, "webhooks/:id", admin, failure: "Failed to delete webhook subscription") { request, context, principal in
            try await WebhookService(s: s).delete(try context.uuid("id"), by: ChangeActor(principal, request))
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
            let queued = try await WebhookService(s: s).queueTest(try context.uuid("id"))
            return try JSONResponse.encode(
                WebhookTestResponse(success: true, message: "Test delivery queued", deliveryID: queued.deliveryID, eventID: queued.eventID))
        }
    }

    static let notFound = WebhookService.notFound

    static func nonNegative(_ raw: Substring?, _ name: String) throws -> Int? {
        guard let raw else { return nil }
        guard let n = Int(raw), n >= 0 else { throw APIError(.invalidParameter, "\(name) must be a non-negative integer") }
        return n
    }
}
