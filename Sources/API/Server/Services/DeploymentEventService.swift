import BrokkrCommon
import BrokkrQueue
import Foundation

/// An agent's report on a deployment object: the event row and its `deployment.applied` /
/// `deployment.failed` webhook event, in one transaction.
struct DeploymentEventService {
    let s: BrokerServices

    func record(_ new: NewAgentEvent, from agentID: UUID) async throws -> AgentEvent {
        try await s.database.withTransaction { tx in
            guard let object = try await DeploymentObjectStore(sql: tx).getIncludingDeleted(new.deploymentObjectID) else {
                throw APIError(.deploymentObjectNotFound, "Deployment object not found")
            }
            let event = try await AgentEventStore(sql: tx).create(
                agentID: agentID, deploymentObjectID: new.deploymentObjectID, eventType: new.eventType, status: new.status, message: new.message)
            let data: [String: JSONValue] = [
                "agent_event_id": .string(event.id.lowercasedString), "agent_id": .string(event.agentID.lowercasedString),
                "deployment_object_id": .string(event.deploymentObjectID.lowercasedString), "event_type": .string(event.eventType),
                "status": .string(event.status), "message": event.message.map(JSONValue.string) ?? .null,
                "created_at": .string(RFC3339.string(from: event.createdAt)),
            ]
            let type = new.status.uppercased() == "SUCCESS" ? "deployment.applied" : "deployment.failed"
            try await EventOutbox.emit(BrokkrEvent(eventType: type, data: .object(data)), agentID: agentID, stackID: object.stackID, on: tx)
            return event
        }
    }
}
