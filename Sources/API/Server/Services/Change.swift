import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// Who makes a change, as its audit entries record it: a caller of the API (with its address and
/// user agent), or `system` for the command line.
public struct ChangeActor: Sendable {
    public let actorType: String
    public let actorID: UUID?
    public let ipAddress: String?
    public let userAgent: String?

    public static let system = ChangeActor(actorType: "system", actorID: nil, ipAddress: nil, userAgent: nil)

    init(actorType: String, actorID: UUID?, ipAddress: String?, userAgent: String?) {
        self.actorType = actorType
        self.actorID = actorID
        self.ipAddress = ipAddress
        self.userAgent = userAgent
    }

    init(_ principal: Principal, _ request: Request) {
        self.init(
            actorType: principal.actorType, actorID: principal.actorID, ipAddress: request.forwardedClientAddress,
            userAgent: request.headers[.userAgent])
    }
}

/// One change in progress: its transaction, and the audit entries and events it writes there, so
/// they commit or roll back with it.
struct Change {
    let tx: Transaction
    let actor: ChangeActor

    func audit(_ action: String, _ resourceType: String, _ resourceID: UUID?, details: JSONValue? = nil) async throws {
        try await AuditOutbox.write(
            AuditEntry(
                actorType: actor.actorType, actorID: actor.actorID, action: action, resourceType: resourceType, resourceID: resourceID,
                details: details, ipAddress: actor.ipAddress, userAgent: actor.userAgent), on: tx)
    }

    func emit(_ event: BrokkrEvent, agentID: UUID? = nil, stackID: UUID? = nil) async throws {
        try await EventOutbox.emit(event, agentID: agentID, stackID: stackID, on: tx)
    }
}

extension BrokerServices {
    /// Runs `body` as one change by `actor`: one transaction for the rows, their audit entries and events.
    func change<T: Sendable>(by actor: ChangeActor, _ body: (Change) async throws -> T) async throws -> T {
        try await database.withTransaction { tx in try await body(Change(tx: tx, actor: actor)) }
    }

    /// A new PAK (shown once) for an agent or generator: `swap` stores its hash as one change and returns
    /// the row with the hash it replaced. The old key stops working at once on this replica.
    func rotateKey<Row: Sendable>(
        by actor: ChangeActor, _ swap: (Change, _ newHash: String) async throws -> (oldHash: String?, row: Row)
    ) async throws -> (row: Row, pak: String) {
        let key = pakGenerator.generate()
        let (oldHash, row) = try await change(by: actor) { try await swap($0, key.hash) }
        authCache.evict(oldHash)
        return (row, key.pak)
    }
}
