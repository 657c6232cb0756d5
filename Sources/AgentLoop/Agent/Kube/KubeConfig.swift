import AsyncHTTPClient
import BrokkrCommon
import Foundation
import NIOConcurrencyHelpers
import NIOSSL

/// Where the cluster is and how to authenticate: a kubeconfig file (current context: server, bearer
/// token, `insecure-skip-tls-verify`, `certificate-authority`) or the pod's service account.
public struct KubeConfig: Sendable {
    public var server: String
    public var token: String?
    public var caFile: String?
    public var insecure = false

    static let serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// From `agent.kubeconfig_path`, or in-cluster when unset.
    public static func load(kubeconfigPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KubeConfig {
        if let path = kubeconfigPath { return try fromKubeconfig(path) }
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] else {
            throw ConfigurationError("agent.kubeconfig_path is unset and this is not a pod (no KUBERNETES_SERVICE_HOST)")
        }
        let token = try String(contentsOfFile: "\(serviceAccount)/token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return KubeConfig(server: "https://\(hostPart):\(port)", token: token, caFile: "\(serviceAccount)/ca.crt")
    }

    static func fromKubeconfig(_ path: String) throws -> KubeConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let doc = try YAMLDocuments.parse(text).first else {
            throw ConfigurationError("cannot read kubeconfig \(path)")
        }
        func named(_ list: String, _ name: String?) -> JSONValue? {
            doc[list]?.arrayValue?.first { $0["name"]?.stringValue == name }
        }
        let contextName = doc["current-context"]?.stringValue ?? doc["contexts"]?.arrayValue?.first?["name"]?.stringValue
        let context = named("contexts", contextName)?["context"]
        guard let cluster = (named("clusters", context?["cluster"]?.stringValue) ?? doc["clusters"]?.arrayValue?.first)?["cluster"],
              let server = cluster["server"]?.stringValue else {
            throw ConfigurationError("kubeconfig \(path) has no cluster server for context \(contextName ?? "?")")
        }
        let user = named("users", context?["user"]?.stringValue)?["user"]
        var token = user?["token"]?.stringValue
        if token == nil, let tokenFile = user?["tokenFile"]?.stringValue {
            token = try? String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return KubeConfig(server: server, token: token, caFile: cluster["certificate-authority"]?.stringValue,
                          insecure: cluster["insecure-skip-tls-verify"]?.boolValue ?? false)
    }

    /// An HTTP client that trusts the cluster's CA (or nothing, for `insecure-skip-tls-verify`). Clients
    /// live as long as the process (an AsyncHTTPClient must never be released without a shutdown).
    public func makeHTTPClient() -> HTTPClient {
        guard server.hasPrefix("https") else { return .shared }
        var tls = TLSConfiguration.makeClientConfiguration()
        if insecure { tls.certificateVerification = .none }
        if let caFile { tls.trustRoots = .file(caFile) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        Self.processClients.withLockedValue { $0.append(client) }
        return client
    }

    private static let processClients = NIOLockedValueBox<[HTTPClient]>([])

    public func makeClient(metrics: AgentMetrics? = nil) -> KubeClient {
        KubeClient(server: server, token: token, http: makeHTTPClient(), metrics: metrics)
    }
}
