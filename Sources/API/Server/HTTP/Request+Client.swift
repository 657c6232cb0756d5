import Hummingbird

extension Request {
    /// The client's address as the load balancer reports it (first `X-Forwarded-For` entry), for audit.
    var forwardedClientAddress: String? {
        headers[.init("X-Forwarded-For")!]?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
