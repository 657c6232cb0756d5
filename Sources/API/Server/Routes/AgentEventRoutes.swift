import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// /agent-events: readable by any authenticated caller, as in the original.
enum AgentEventRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.get, "agent-events", .anyAuthenticated, failure: "Failed to fetch agent events") { _, _, _ in
            try JSONResponse.encode(try await s.agentEvents.list())
        }
        api.add(.get, "agent-events/:id", .anyAuthenticated, failure: "Failed to fetch agent event") { _, context, _ in
            guard let event = try await s.agentEvents.get(try context.uuid("id")) else {
                throw APIError(.agentEventNotFound, "Agent event not found")
            }
            return try JSONResponse.encode(event)
        }
    }
}
