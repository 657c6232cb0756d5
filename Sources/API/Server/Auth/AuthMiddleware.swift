import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird
import Logging

/// Authenticates every /api/v1 request; each route's `AccessPolicy` then decides (see `APIRoutes`).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = BrokkrRequestContext
    let authenticator: Authenticator
    let metrics: BrokerMetrics
    let failures = FailedAuthLimiter()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let principal: Principal?
        do {
            principal = try await authenticator.principal(forAuthorization: request.headers[.authorization])
        } catch {
            context.logger.error("PAK verification failed with a database error: \(error)")
            throw APIError(.internalError, "Failed to verify PAK")
        }
        guard let principal else {
            context.logger.warning("PAK verification failed")
            await recordFailure(request)
            throw APIError.unauthorized
        }
        context.principal = principal
        return try await next(request, context)
    }

    /// Audits a failed authentication (`auth.failed`, with the caller's address and the key's prefix —
    /// never the key), the first per address and minute (`FailedAuthLimiter`). Best effort: an audit
    /// failure must not turn a 401 into a 500.
    func recordFailure(_ request: Request) async {
        metrics.recordAuthFailure()
        guard failures.shouldRecord(source: request.forwardedClientAddress ?? "unknown") else { return }
        let header = request.headers[.authorization]
        let prefix = header.flatMap { $0.split(separator: " ").last?.split(separator: "_").first.map(String.init) }
        let entry = AuditEntry(
            actorType: "system", actorID: nil, action: "auth.failed", resourceType: "pak", resourceID: nil,
            details: .object([
                "reason": .string(header == nil ? "missing_pak" : "invalid_pak"),
                "pak_prefix": prefix.map { .string(String($0.prefix(16))) } ?? .null,
                "path": .string(request.uri.path),
            ]),
            ipAddress: request.forwardedClientAddress,
            userAgent: request.headers[.userAgent])
        try? await AuditOutbox.write(entry, on: authenticator.database)
    }
}
