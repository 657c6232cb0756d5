import BrokkrCommon
import BrokkrQueue
import Foundation

/// Changes to on-demand diagnostics: the admin's request (audited) and the assigned agent's result.
struct DiagnosticService {
    let s: BrokerServices

    func request(
        objectID: UUID, agentID: UUID, requestedBy: String?, retentionMinutes: Int, by actor: ChangeActor
    ) async throws -> DiagnosticRequest {
        guard try await s.deploymentObjects.get(objectID) != nil else { throw APIError(.deploymentObjectNotFound, "Deployment object not found") }
        guard try await s.agents.exists(agentID) else { throw AgentService.notFound }
        return try await s.change(by: actor) { change in
            let created = try await DiagnosticStore(sql: change.tx).create(
                deploymentObjectID: objectID, agentID: agentID, requestedBy: requestedBy, retentionMinutes: retentionMinutes)
            try await change.audit(
                "diagnostic.requested", "diagnostic", created.id,
                details: .object(["agent_id": .string(agentID.lowercasedString), "deployment_object_id": .string(objectID.lowercasedString)]))
            return created
        }
    }

    /// Stores the result of a claimed request and completes it, atomically.
    func submit(_ result: SubmitDiagnosticResult, for diagnostic: DiagnosticRequest) async throws -> DiagnosticResult {
        try await s.database.withTransaction { tx in
            let store = DiagnosticStore(sql: tx)
            guard try await store.transition(diagnostic.id, from: "claimed", to: "completed") != nil else {
                let now = try await store.get(diagnostic.id)
                throw APIError(.diagnosticNotClaimed, "Request status is \(now?.status ?? diagnostic.status), expected 'claimed'")
            }
            return try await store.addResult(requestID: diagnostic.id, result)
        }
    }
}
