import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOCore
import NIOSSL

/// How the emulator is served: plain HTTP (the default, no authentication), or HTTPS as a real API
/// server is, authenticating every request by a client certificate signed by `clientCAFile` or by one
/// of the static bearer `tokens` (kube-apiserver's `--client-ca-file` and token authentication).
public struct KubeServing: Sendable {
    public struct TLS: Sendable {
        public var certificateChainFile: String
        public var privateKeyFile: String
        /// CA whose client certificates authenticate; presenting one is optional (tokens still work).
        public var clientCAFile: String?

        public init(certificateChainFile: String, privateKeyFile: String, clientCAFile: String? = nil) {
            self.certificateChainFile = certificateChainFile
            self.privateKeyFile = privateKeyFile
            self.clientCAFile = clientCAFile
        }
    }

    public var tls: TLS?
    /// Bearer tokens that authenticate.
    public var tokens: Set<String>

    public init(tls: TLS? = nil, tokens: Set<String> = []) {
        self.tls = tls
        self.tokens = tokens
    }

    /// Without a client CA or tokens, every request is let in (any Authorization header is ignored).
    var requiresAuthentication: Bool { tls?.clientCAFile != nil || !tokens.isEmpty }

    func serverBuilder() throws -> HTTPServerBuilder {
        guard let tls else { return .http1() }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificateChainFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.privateKeyFile, format: .pem)))
        if let clientCA = tls.clientCAFile {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCA))
            // Verified when presented, not required: as kube-apiserver, which also accepts tokens.
            configuration.certificateVerification = .optionalVerification
        }
        return try .tls(.http1(), tlsConfiguration: configuration)
    }

    /// Whether the request is authenticated: a verified client certificate on its connection, or a
    /// known bearer token.
    func authenticates(_ request: Request, channel: any Channel) async -> Bool {
        guard requiresAuthentication else { return true }
        if let header = request.headers[.authorization], header.hasPrefix("Bearer "), tokens.contains(String(header.dropFirst(7))) {
            return true
        }
        guard tls?.clientCAFile != nil else { return false }
        return (try? await channel.nioSSL_peerCertificate().get()) != nil
    }

    static let unauthorized = KubeAPIError(code: 401, reason: "Unauthorized", message: "Unauthorized")
}

/// The request context of the emulator's server: Hummingbird's basic context plus the connection,
/// whose TLS handshake tells whether a client certificate was presented.
public struct EmulatorRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
