import BrokkrCommon
import BrokkrQueue

/// The stores of the queue-shaped resources (work orders, webhooks) and the webhook key.
extension BrokerServices {
    var workOrders: WorkOrderStore { WorkOrderStore(sql: database) }
    var webhookSubscriptions: WebhookSubscriptionStore { WebhookSubscriptionStore(sql: database) }
    var webhookDeliveries: WebhookDeliveryStore { WebhookDeliveryStore(sql: database) }

    func webhookCipher() throws -> WebhookCipher {
        do { return try webhookCipherResult.get() } catch {
            throw APIError(.internalError, "Webhook encryption is not configured")
        }
    }
}
