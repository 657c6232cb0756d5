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
    /// The fetch in progress, shared by every request that finds no valid token meanwhile: concurrent
    /// applies start one plugin run, not one each.
    private var fetching: Task<(token: String, until: Date?), any Error>?

    static let tokenFileRefresh: TimeInterval = 60

    public init(_ source: Source) {
        self.source = source
    }

    /// The `Authorization` header value, nil without credentials.
    public func authorization() async throws -> String? {
        if case .none = source { return nil }
        if let cached, cached.until.map({ $0 > Date() }) ?? true { return "Bearer \(cached.token)" }
        let fetch = fetching ?? Task { [source] in try await Self.fetch(source) }
        fetching = fetch
        defer { fetching = nil }
        let fresh = try await fetch.value
        cached = fresh
        return "Bearer \(fresh.token)"
    }

    static func fetch(_ source: Source) async throws -> (token: String, until: Date?) {
        switch source {
        case .none:
            throw ConfigurationError("no credentials")
        case .token(let token):
            return (token, nil)
        case .tokenFile(let path):
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ConfigurationError("cannot read token file \(path)") }
            return (text.trimmingCharacters(in: .whitespacesAndNewlines), Date().addingTimeInterval(tokenFileRefresh))
        case .exec(let plugin):
            let credential = try await plugin.run()
            return (credential.token, credential.expiration)
        }
    }

    /// After a 401 answered to `authorization`: a token that can be obtained again is dropped (unless a
    /// newer one already replaced it) so the next request gets a fresh one. Returns whether retrying
    /// can help.
    public func invalidate(_ authorization: String?) -> Bool {
        switch source {
        case .none, .token: return false
        case .tokenFile, .exec:
            if let cached, "Bearer \(cached.token)" == authorization { self.cached = nil }
            return true
        }
    }
}
