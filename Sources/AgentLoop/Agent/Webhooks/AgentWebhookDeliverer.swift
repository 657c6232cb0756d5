import AsyncHTTPClient
import BrokkrCommon
import Foundation
import Logging
import NIOCore

/// Agent-delivered webhooks (spec/06 §11): deliveries whose subscription targets agent labels are
/// sent from inside the cluster (where the receiver usually is), then the outcome is reported back.
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

    /// Delivers every pending delivery; returns (delivery id, success) per delivery.
    @discardableResult
    public func runOnce() async throws -> [(String, Bool)] {
        let (status, body) = try await broker.request(.GET, "/agents/\(agentID)/webhooks/pending")
        guard status == 200 else { throw BrokerClient.BrokerError(status: status, body: body) }
        var outcomes: [(String, Bool)] = []
        for delivery in try JSONValue.parse(body).arrayValue ?? [] {
            guard let id = delivery["id"]?.stringValue, let url = delivery["url"]?.stringValue else { continue }
            let started = ContinuousClock.now
            var result: [String: JSONValue]
            do {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "X-Brokkr-Event-Type", value: delivery["event_type"]?.stringValue ?? "")
                request.headers.add(name: "X-Brokkr-Delivery-Id", value: id)
                if let eventID = delivery["event_id"]?.stringValue { request.headers.add(name: "X-Brokkr-Event-Id", value: eventID) }
                if let signature = delivery["signature"]?.stringValue { request.headers.add(name: "X-Brokkr-Signature", value: signature) }
                if let auth = delivery["auth_header"]?.stringValue { request.headers.add(name: "Authorization", value: auth) }
                request.body = .bytes(ByteBuffer(string: delivery["payload"]?.stringValue ?? "{}"))
                let timeout = Int64(delivery["timeout_seconds"]?.numberValue ?? 30)
                let response = try await http.execute(request, timeout: .seconds(timeout))
                let code = Int(response.status.code)
                let text = String(buffer: try await response.body.collect(upTo: 1 << 16))
                let ok = (200..<300).contains(code)
                result = ["success": .bool(ok), "status_code": .int(Int64(code))]
                if !ok { result["error"] = .string("HTTP \(code): \(text.prefix(200))") }
            } catch {
                result = ["success": .bool(false), "error": .string("Request failed: \(error)")]
            }
            let elapsed = ContinuousClock.now - started
            result["duration_ms"] = .int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
            let (reportStatus, reportBody) = try await broker.request(.POST, "/webhook-deliveries/\(id)/result", json: JSONValue.object(result).serialized())
            if reportStatus != 200 { logger.warning("Delivery result for \(id) refused: \(reportStatus) \(reportBody)") }
            outcomes.append((id, result["success"] == .bool(true)))
        }
        return outcomes
    }
}
