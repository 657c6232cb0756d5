import BrokkrCommon
import Foundation

/// The bearer token for each Kubernetes request: fixed, read from a file (re-read every minute, as
/// client-go does, because projected service-account tokens rotate), or obtained from an `exec`
/// credential plugin and cached until its `expirationTimestamp`.
public actor KubeCredentials {
    public enum Source: Sendable {
        case none
        case token(String)
        case tokenFile(String)
        case exec(ExecCredentialPlugin)
    }

    let source: Source
    private var cached: (token: String, until: Date?)?

    static let tokenFileRefresh: TimeInterval = 60

    public init(_ source: Source) {
        self.source = source
    }

    /// The `Authorization` header value, nil without credentials.
    public func authorization() async throws -> String? {
        if let cached, cached.until.map({ $0 > Date() }) ?? true { return "Bearer \(cached.token)" }
        switch source {
        case .none:
            return nil
        case .token(let token):
            cached = (token, nil)
        case .tokenFile(let path):
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ConfigurationError("cannot read token file \(path)") }
            cached = (text.trimmingCharacters(in: .whitespacesAndNewlines), Date().addingTimeInterval(Self.tokenFileRefresh))
        case .exec(let plugin):
            let credential = try await plugin.run()
            cached = (credential.token, credential.expiration)
        }
        return cached.map { "Bearer \($0.token)" }
    }

    /// After a 401: a token that can be obtained again is dropped so the next request gets a fresh one.
    /// Returns whether retrying can help.
    public func invalidate() -> Bool {
        switch source {
        case .none, .token: return false
        case .tokenFile, .exec:
            cached = nil
            return true
        }
    }
}
