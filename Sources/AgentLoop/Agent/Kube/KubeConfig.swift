import AsyncHTTPClient
import BrokkrCommon
import Foundation
import NIOConcurrencyHelpers
import NIOSSL

/// Where the cluster is and how to authenticate, read from a kubeconfig file as kubectl reads it, or
/// from the pod's service account:
/// - the context: `current-context`, or the one named by `agent.kube_context` / `--context`, with its
///   namespace (the default for objects that name none);
/// - the cluster: `server`, `certificate-authority(-data)`, `insecure-skip-tls-verify`;
/// - the user: `client-certificate(-data)` and `client-key(-data)` (mutual TLS), `token`, `tokenFile`,
///   or an `exec` credential plugin.
/// Relative file paths are relative to the kubeconfig's folder, as kubectl resolves them.
public struct KubeConfig: Sendable {
    /// PEM bytes, given inline (`…-data`, base64 in the file) or as a file to read.
    public enum PEM: Sendable, Equatable {
        case file(String)
        case data([UInt8])

        func bytes() throws -> [UInt8] {
            switch self {
            case .data(let bytes): return bytes
            case .file(let path):
                guard let data = FileManager.default.contents(atPath: path) else { throw ConfigurationError("cannot read \(path)") }
                return Array(data)
            }
        }
    }

    public var server: String
    /// The context's namespace: where objects that name no namespace go.
    public var namespace = "default"
    public var credentials: KubeCredentials.Source = .none
    public var certificateAuthority: PEM?
    public var clientCertificate: PEM?
    public var clientKey: PEM?
    public var insecure = false

    public init(
        server: String, namespace: String = "default", credentials: KubeCredentials.Source = .none,
        certificateAuthority: PEM? = nil, clientCertificate: PEM? = nil, clientKey: PEM? = nil, insecure: Bool = false
    ) {
        self.server = server
        self.namespace = namespace
        self.credentials = credentials
        self.certificateAuthority = certificateAuthority
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecure = insecure
    }

    static let serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// From `agent.kubeconfig_path` (and `agent.kube_context`), or in-cluster when unset.
    public static func load(
        kubeconfigPath: String?, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> KubeConfig {
        if let path = kubeconfigPath { return try fromKubeconfig(path, context: context) }
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] else {
            throw ConfigurationError("agent.kubeconfig_path is unset and this is not a pod (no KUBERNETES_SERVICE_HOST)")
        }
        let namespace = (try? String(contentsOfFile: "\(serviceAccount)/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let hostPart = host.contains(":") ? "[\(host)]" : host
        // The projected token is rotated by the kubelet: read it again rather than once.
        return KubeConfig(
            server: "https://\(hostPart):\(port)", namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            credentials: .tokenFile("\(serviceAccount)/token"), certificateAuthority: .file("\(serviceAccount)/ca.crt"))
    }

    static func fromKubeconfig(_ path: String, context override: String?) throws -> KubeConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ConfigurationError("cannot read kubeconfig \(path)") }
        let doc: JSONValue
        do {
            guard let first = try YAMLDocuments.parse(text).first else { throw ConfigurationError("kubeconfig \(path) is empty") }
            doc = first
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError("kubeconfig \(path) is not valid YAML: \(error)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        func named(_ list: String, _ name: String?) -> JSONValue? {
            doc[list]?.arrayValue?.first { $0["name"]?.stringValue == name }
        }
        func file(_ value: JSONValue?) -> String? {
            guard let value = value?.stringValue, !value.isEmpty else { return nil }
            return value.hasPrefix("/") ? value : (folder as NSString).appendingPathComponent(value)
        }
        func pem(_ entry: JSONValue?, _ key: String) throws -> PEM? {
            if let inline = entry?["\(key)-data"]?.stringValue, !inline.isEmpty {
                guard let bytes = Data(base64Encoded: inline, options: .ignoreUnknownCharacters) else {
                    throw ConfigurationError("kubeconfig \(path): \(key)-data is not base64")
                }
                return .data(Array(bytes))
            }
            return file(entry?[key]).map(PEM.file)
        }

        let contextName = override ?? doc["current-context"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        guard let contextName else { throw ConfigurationError("kubeconfig \(path) has no current-context; set agent.kube_context") }
        guard let context = named("contexts", contextName)?["context"] else {
            throw ConfigurationError("kubeconfig \(path) has no context named \(contextName)")
        }
        guard let cluster = named("clusters", context["cluster"]?.stringValue)?["cluster"], let server = cluster["server"]?.stringValue else {
            throw ConfigurationError("kubeconfig \(path): context \(contextName) names no cluster with a server")
        }
        var config = KubeConfig(server: server)
        config.namespace = context["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        config.certificateAuthority = try pem(cluster, "certificate-authority")
        config.insecure = cluster["insecure-skip-tls-verify"]?.boolValue ?? false

        let userName = context["user"]?.stringValue
        let user = named("users", userName)?["user"]
        if let userName, !userName.isEmpty, user == nil {
            throw ConfigurationError("kubeconfig \(path): context \(contextName) names a user \(userName) that is not defined")
        }
        config.clientCertificate = try pem(user, "client-certificate")
        config.clientKey = try pem(user, "client-key")
        if (config.clientCertificate == nil) != (config.clientKey == nil) {
            throw ConfigurationError("kubeconfig \(path): user \(userName ?? "") needs both a client certificate and a client key")
        }
        if let token = user?["token"]?.stringValue, !token.isEmpty {
            config.credentials = .token(token)
        } else if let tokenFile = file(user?["tokenFile"]) {
            config.credentials = .tokenFile(tokenFile)
        } else if let exec = user?["exec"] {
            config.credentials = .exec(try ExecCredentialPlugin(exec, folder: folder, server: server, cluster: cluster))
        }
        return config
    }

    /// An HTTP client with the cluster's CA (or none, for `insecure-skip-tls-verify`) and the client
    /// certificate. Clients live as long as the process (an AsyncHTTPClient must never be released
    /// without a shutdown).
    public func makeHTTPClient() throws -> HTTPClient {
        guard server.lowercased().hasPrefix("https") else { return .shared }
        var tls = TLSConfiguration.makeClientConfiguration()
        if insecure {
            tls.certificateVerification = .none
        } else if let certificateAuthority {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(certificateAuthority.bytes()))
        }
        if let clientCertificate, let clientKey {
            tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(clientCertificate.bytes()).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: clientKey.bytes(), format: .pem))
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        // KubeClient retries with its own back-off; a refused connection should reach it at once.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        Self.processClients.withLockedValue { $0.append(client) }
        return client
    }

    private static let processClients = NIOLockedValueBox<[HTTPClient]>([])

    public func makeClient(metrics: AgentMetrics? = nil) throws -> KubeClient {
        KubeClient(
            server: server, credentials: KubeCredentials(credentials), http: try makeHTTPClient(), metrics: metrics,
            defaultNamespace: namespace)
    }
}
