import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// POST /auth/pak: who does this key belong to?
enum AuthRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.post, "auth/pak", .anyAuthenticated, failure: "Failed to verify PAK") { _, _, principal in
            try JSONResponse.encode(
                AuthResponse(
                    admin: principal.isAdmin, agent: principal.agentID?.lowercasedString,
                    generator: principal.generatorID?.lowercasedString))
        }
    }
}
