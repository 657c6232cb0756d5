import BrokkrCommon
import HTTPTypes
import Hummingbird

extension Request {
    static let clientAddressHeader = HTTPField.Name("X-Brokkr-Client-Address")!

    /// The client's address as `ClientAddressMiddleware` determined it, for audit.
    var forwardedClientAddress: String? { headers[Self.clientAddressHeader] }
}

/// Decides who the client is, once, for audit: the connection's peer, unless the peer is one of
/// `broker.trusted_proxies`, in which case the nearest address in `X-Forwarded-For` that is not itself
/// a trusted proxy. A header from anyone else is ignored, so a client cannot choose its audited address.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = BrokkrRequestContext
    let trusted: [IPRange]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var head = request.head
        head.headerFields[Request.clientAddressHeader] = clientAddress(
            peer: context.peerAddress,
            forwardedFor: request.headers[values: .init("X-Forwarded-For")!])
        return try await next(Request(head: head, body: request.body), context)
    }

    func clientAddress(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer, isTrusted(peer) else { return peer }
        // X-Forwarded-For lists client, proxy1, proxy2…; each proxy appends the address it saw.
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last { !isTrusted($0) } ?? hops.first ?? peer
    }

    func isTrusted(_ address: String) -> Bool { trusted.contains { $0.contains(address) } }
}
