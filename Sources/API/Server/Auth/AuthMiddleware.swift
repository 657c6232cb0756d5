import BrokkrCommon
import Hummingbird
import Logging

/// Authenticates every /api/v1 request; each route's `AccessPolicy` then decides (see `APIRoutes`).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = BrokkrRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let principal: Principal?
        do {
            principal = try await authenticator.principal(forAuthorization: request.headers[.authorization])
        } catch {
            context.logger.error("PAK verification failed with a database error: \(error)")
            throw APIError(.internalServerError, "Failed to verify PAK")
        }
        guard let principal else {
            context.logger.warning("PAK verification failed")
            throw APIError.unauthorized
        }
        context.principal = principal
        return try await next(request, context)
    }
}

import Foundation
