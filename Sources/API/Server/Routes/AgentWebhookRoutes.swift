import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// Agent delivery of webhooks whose subscription has target labels: an agent claims the deliveries
/// whose labels it all carries, sends them from inside its cluster, and reports back.
enum AgentWebhookRoutes {
    static let batch = 10, leaseSeconds = 60

    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(
            .get, "agents/:id/webhooks/pending", .adminOrAgentSelf(),
            failure: "Failed to claim pending deliveries"
        ) { _, context, _ in
            let agentID = try context.uuid("id")
            guard try await s.agents.exists(agentID) else { throw AgentRoutes.agentNotFound }
            let labels = try await s.tags(.agent).labels(agentID)
            guard !labels.isEmpty else { return try JSONResponse.encode([PendingWebhookDelivery]()) }
            let claims = try await WorkQueue(spec: .webhookDeliveries, sql: s.database).claim(
                owner: ClaimFilter.agentOwner(agentID), limit: batch, leaseSeconds: leaseSeconds,
                filter: .agentDelivered(agentID: agentID, agentLabels: labels))
            let cipher = try s.webhookCipher()
            var items: [PendingWebhookDelivery] = []
            for job in try await WebhookDeliveryStore(sql: s.database).jobs(claims.map(\.id)) {
                // A delivery whose secrets cannot be decrypted is skipped: it stays acquired until its
                // lease expires, and is dead once its attempts are used up.
                guard let target = try? job.target(cipher) else { continue }
                let signature = target.signature(at: Int(Date().timeIntervalSince1970))
                items.append(
                    PendingWebhookDelivery(
                        id: job.id, subscriptionID: job.subscriptionID, eventType: job.eventType, payload: job.payload, url: target.url,
                        timeoutSeconds: job.timeoutSeconds, maxRetries: job.maxRetries, attempts: job.attempts,
                        authHeader: target.authHeader, eventID: job.eventID, signature: signature?.legacy,
                        signature256: signature?.timestamped, timestamp: signature?.timestamp))
            }
            return try JSONResponse.encode(items)
        }

        api.add(
            .post, "webhook-deliveries/:id/result", .adminOrAgent(.agentPakRequired, "Agent authentication required"),
            failure: "Failed to update delivery"
        ) { request, context, principal in
            guard let agentID = principal.agentID else { throw APIError(.agentPakRequired, "Agent authentication required") }
            let id = try context.uuid("id")
            let body = try await RequestBytes.read(request)
            guard let acquiredBy = try await s.webhookDeliveries.acquiredBy(id) else { throw APIError(.deliveryNotFound, "Delivery not found") }
            guard acquiredBy == agentID else { throw APIError(.deliveryNotAcquiredByAgent, "Delivery not acquired by this agent") }
            let result = try RequestBytes.decode(DeliveryResultRequest.self, from: body)
            let success = result.success
            let queue = WorkQueue(spec: .webhookDeliveries, sql: s.database)
            let owner = ClaimFilter.agentOwner(agentID)
            let stillOwned =
                success
                ? try await queue.complete(id, owner: owner)
                : try await queue.fail(id, owner: owner, error: result.error ?? "Unknown error") != .notOwned
            // Unlike the original, a result that arrives after the claim expired is refused rather than
            // overwriting the state of a delivery that may be on its way again.
            guard stillOwned else { throw APIError(.deliveryClaimExpired, "Delivery is no longer acquired by this agent (its claim expired)") }
            guard !success, let progress = try await s.webhookDeliveries.progress(id) else {
                return try JSONResponse.encode(DeliveryResultResponse(status: "success", deliveryID: id))
            }
            return try JSONResponse.encode(
                DeliveryResultResponse(
                    status: progress.status, deliveryID: id, attempts: progress.attempts,
                    nextRetryAt: progress.nextRetryAt))
        }
    }
}
