import BrokkrCommon
import BrokkrQueue
import Foundation

/// Resolves an `Authorization` header to a principal: admin first, then agent, then generator,
/// exactly in the original's order, with hashes compared in constant time for the admin key.
public struct Authenticator: Sendable {
    let database: Database
    let cache: AuthCache

    public func principal(forAuthorization header: String?) async throws -> Principal? {
        guard let header, let hash = PAKHash.of(authorizationHeader: header) else { return nil }
        if let cached = cache.get(hash) { return cached }
        let principal: Principal?
        if let admin = try await AdminStore(sql: database).adminHash(), PAKHash.constantTimeEquals(admin, hash) {
            principal = .admin
        } else if let agent = try await AgentStore(sql: database).id(forKeyHash: hash) {
            principal = .agent(agent)
        } else if let generator = try await GeneratorStore(sql: database).id(forKeyHash: hash) {
            principal = .generator(generator)
        } else {
            principal = nil
        }
        if let principal { cache.insert(hash, principal) }
        return principal
    }
}
