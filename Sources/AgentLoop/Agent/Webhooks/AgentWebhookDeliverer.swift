import AsyncHTTPClient
import BrokkrCommon
import Foundation
import Logging
import NIOCore

/// Agent-delivered webhooks (see docs/webhooks-and-work-orders.md): deliveries whose subscription
/// targets agent labels are sent from inside the cluster (where the receiver usually is), then the
/// outcome is reported back.
public struct AgentWebhookDeliverer: Sendable {
    let broker: BrokerClient
    let agentID: String
    let http: HTTPClient
    let logger: Logger

    public init(broker: BrokerClient, agentID: String, http: HTTPClient = .shared, logger: Logger) {
        self.broker = broker
        self.agentID = agentID
        self.http = http
        self.logger = logger
    }

    /// Delivers every pending delivery of one claim, all at once (their signatures were made at the
    /// claim, so none may wait behind another's timeout), and reports each outcome; returns
    /// (delivery id, success) per delivery.
    @discardableResult
    public func runOnce() async throws -> [(String, Bool)] {
        let pending = try await broker.pendingWebhookDeliveries(agentID: agentID)
        let results = await pending.concurrentMap(limit: max(pending.count, 1)) { delivery in (delivery, await send(delivery)) }
        var outcomes: [(String, Bool)] = []
        for (delivery, result) in results {
            let id = delivery.id.lowercasedString
            do {
                try await broker.reportWebhookDeliveryResult(id, result)
            } catch let refused as BrokerClient.BrokerError {
                logger.warning("Delivery result for \(id) refused: \(refused)")
            }
            outcomes.append((id, result.success))
        }
        return outcomes
    }

    /// One POST with the broker's headers and signatures; the outcome as the broker records it.
    func send(_ delivery: PendingWebhookDelivery) async -> DeliveryResultRequest {
        let id = delivery.id.lowercasedString
        let started = ContinuousClock.now
        var result: DeliveryResultRequest
        do {
            var request = HTTPClientRequest(url: delivery.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-Brokkr-Event-Type", value: delivery.eventType)
            request.headers.add(name: "X-Brokkr-Delivery-Id", value: id)
            if let eventID = delivery.eventID { request.headers.add(name: "X-Brokkr-Event-Id", value: eventID.lowercasedString) }
            if let signature = delivery.signature { request.headers.add(name: WebhookSignature.headerName, value: signature) }
            if let signature = delivery.signature256 { request.headers.add(name: WebhookSignature.timestampedHeaderName, value: signature) }
            if let timestamp = delivery.timestamp { request.headers.add(name: WebhookSignature.timestampHeaderName, value: String(timestamp)) }
            if let auth = delivery.authHeader { request.headers.add(name: "Authorization", value: auth) }
            request.body = .bytes(ByteBuffer(string: delivery.payload))
            let response = try await http.execute(request, timeout: .seconds(Int64(delivery.timeoutSeconds)))
            let code = Int(response.status.code)
            let text = String(buffer: try await response.body.collect(upTo: 1 << 16))
            let ok = (200..<300).contains(code)
            result = DeliveryResultRequest(success: ok, error: ok ? nil : "HTTP \(code): \(text.prefix(200))", statusCode: code)
        } catch {
            result = DeliveryResultRequest(success: false, error: "Request failed: \(error)")
        }
        let elapsed = ContinuousClock.now - started
        result.durationMs = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        return result
    }
}
