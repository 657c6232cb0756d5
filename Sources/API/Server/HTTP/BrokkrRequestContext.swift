import BrokkrCommon
import Foundation
import Hummingbird
import NIOCore

/// Per-request state: who is calling (set by the auth middleware) and where from (for audit).
public struct BrokkrRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// The connection's peer address (the client, or the proxy in front of it).
    public let peerAddress: String?
    /// The connection, for a long poll to notice its client leaving (`ClientCloseWatcher`).
    public let channel: any Channel

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.principal = nil
        self.peerAddress = source.channel.remoteAddress?.ipAddress
        self.channel = source.channel
    }

    /// The authenticated caller; routes under /api/v1 always have one.
    public func caller() throws -> Principal {
        guard let principal else { throw APIError.unauthorized }
        return principal
    }

    /// A UUID path parameter; a malformed one is a 400 naming the parameter.
    public func uuid(_ name: String) throws -> UUID {
        guard let raw = parameters.get(name) else { throw APIError(.invalidParameter, "missing path parameter \(name)") }
        guard let id = UUID(text: raw) else { throw APIError(.invalidParameter, "invalid UUID in path parameter \(name): \(raw)") }
        return id
    }

    public func string(_ name: String) throws -> String {
        guard let raw = parameters.get(name) else { throw APIError(.invalidParameter, "missing path parameter \(name)") }
        return raw.removingPercentEncoding ?? raw
    }
}
