import BrokkrCommon
import Foundation
import Hummingbird
import Logging

/// A route as declared: method, path (Hummingbird syntax, relative to /api/v1) and access policy.
public struct RouteDeclaration: Sendable, Hashable {
    public let method: String
    public let path: String
    public let policy: String
}

/// Every /api/v1 route registered, so the authorization test can walk them all.
public final class RouteTable: @unchecked Sendable {
    private let lock = NSLock()
    private var declarations: [RouteDeclaration] = []
    public init() {}
    func append(_ d: RouteDeclaration) { lock.withLock { declarations.append(d) } }
    public var routes: [RouteDeclaration] { lock.withLock { declarations } }
}

public typealias APIHandler = @Sendable (Request, BrokkrRequestContext, Principal) async throws -> Response

/// Registers /api/v1 routes with their policy: the policy's role gate runs first, then the handler;
/// database errors become 4xx where the client caused them (duplicate, unknown reference) or a
/// logged 500 with `failure` as the message.
struct APIRoutes {
    let group: RouterGroup<BrokkrRequestContext>
    let table: RouteTable

    func add(_ method: HTTPRequest.Method, _ path: String, _ policy: AccessPolicy, failure: String, _ handler: @escaping APIHandler) {
        table.append(RouteDeclaration(method: method.rawValue, path: path, policy: policy.description))
        group.on(RouterPath(path), method: method) { request, context in
            let principal = try context.caller()
            let pathID =
                context.parameters.get("id").flatMap { UUID(text: $0) }
                ?? context.parameters.get("agent_id").flatMap { UUID(text: $0) }
            try policy.enforce(principal, pathID: pathID)
            do {
                return try await handler(request, context, principal)
            } catch let error as APIError {
                throw error
            } catch let error as HTTPError {
                throw error
            } catch {
                let mapped = APIError.from(database: error, context: failure)
                if mapped.code == .internalError {
                    context.logger.error("\(failure): \(String(reflecting: error))")
                }
                throw mapped
            }
        }
    }
}
