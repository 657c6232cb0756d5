import BrokkrCommon
import Foundation
import NIOHTTP1

/// The agent's broker calls as typed operations: each names its route, sends a contract model and
/// turns any status but the expected one into a `BrokerError`, so callers handle one error type.
extension BrokerClient {
    /// POST /agents/{id}/events: 201 from v0.4.2 brokers, 200 from earlier ones.
    public func reportEvent(_ event: NewAgentEvent, agentID: String) async throws {
        try await send(.POST, "/agents/\(agentID)/events", body: event, expecting: 200..<300)
    }

    /// PATCH /agents/{id}/health-status.
    public func reportHealth(_ update: HealthStatusUpdate, agentID: String) async throws {
        try await send(.PATCH, "/agents/\(agentID)/health-status", body: update, expecting: 200..<201)
    }

    public func pendingWorkOrders(agentID: String) async throws -> [WorkOrder] {
        try await getPolled("/agents/\(agentID)/work-orders/pending", as: [WorkOrder].self)
    }

    /// POST /work-orders/{id}/claim; false when the broker refuses (claimed elsewhere, gone).
    public func claimWorkOrder(_ id: String, agentID: UUID) async throws -> Bool {
        try await request(.POST, "/work-orders/\(id)/claim", body: ClaimWorkOrderRequest(agentID: agentID)).0 == 200
    }

    public func completeWorkOrder(_ id: String, _ completion: CompleteWorkOrderRequest) async throws {
        try await send(.POST, "/work-orders/\(id)/complete", body: completion, expecting: 200..<201)
    }

    public func pendingDiagnostics(agentID: String) async throws -> [DiagnosticRequest] {
        try await getPolled("/agents/\(agentID)/diagnostics/pending", as: [DiagnosticRequest].self)
    }

    /// POST /diagnostics/{id}/claim; false when the request was claimed elsewhere or expired.
    public func claimDiagnostic(_ id: String) async throws -> Bool {
        try await request(.POST, "/diagnostics/\(id)/claim").0 == 200
    }

    public func submitDiagnosticResult(_ id: String, _ result: SubmitDiagnosticResult) async throws {
        try await send(.POST, "/diagnostics/\(id)/result", body: result, expecting: 201..<202)
    }

    public func pendingWebhookDeliveries(agentID: String) async throws -> [PendingWebhookDelivery] {
        try await get("/agents/\(agentID)/webhooks/pending", as: [PendingWebhookDelivery].self)
    }

    public func reportWebhookDeliveryResult(_ id: String, _ result: DeliveryResultRequest) async throws {
        try await send(.POST, "/webhook-deliveries/\(id)/result", body: result, expecting: 200..<201)
    }

    private func send(_ method: HTTPMethod, _ path: String, body: some Encodable, expecting accepted: Range<Int>) async throws {
        let (status, answer) = try await request(method, path, body: body)
        guard accepted.contains(status) else { throw BrokerError(status: status, body: answer) }
    }
}
