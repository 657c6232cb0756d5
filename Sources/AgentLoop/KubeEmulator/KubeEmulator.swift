import BrokkrCommon
import Foundation
import Hummingbird
import NIOCore

/// A running emulated Kubernetes API server: plain HTTP without authentication by default (any
/// Authorization header is accepted and ignored), or HTTPS with client-certificate and token
/// authentication (`KubeServing`).
///
/// ```swift
/// let emulator = try await KubeEmulator.start(host: "127.0.0.1", port: 0)
/// defer { Task { await emulator.shutdown() } }
/// // point a client at emulator.baseURL; read and change state through emulator.cluster
/// ```
public final class KubeEmulator: Sendable {
    /// The cluster state behind the server.
    public let cluster: KubeCluster
    public let host: String
    /// The port the server listens on (the ephemeral one when started with port 0).
    public let port: Int
    public let serving: KubeServing
    private let task: Task<Void, any Error>

    /// `http://host:port`, or `https://` when serving TLS.
    public var baseURL: String { "\(serving.tls == nil ? "http" : "https")://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    private init(cluster: KubeCluster, host: String, port: Int, serving: KubeServing, task: Task<Void, any Error>) {
        self.cluster = cluster
        self.host = host
        self.port = port
        self.serving = serving
        self.task = task
    }

    /// Starts a server. Port 0 picks a free port.
    public static func start(
        host: String = "127.0.0.1", port: Int = 0, options: KubeCluster.Options = KubeCluster.Options(), serving: KubeServing = KubeServing(),
        logLevel: String = "critical"
    ) async throws -> KubeEmulator {
        try await start(host: host, port: port, cluster: KubeCluster(options: options), serving: serving, logLevel: logLevel)
    }

    /// Starts a server for an existing cluster.
    /// - Parameter logLevel: the HTTP server's log level (`trace` ... `critical`); the `LOG_LEVEL`
    ///   environment variable wins when set. Defaults to `critical`, which keeps tests quiet.
    public static func start(
        host: String, port: Int, cluster: KubeCluster, serving: KubeServing = KubeServing(),
        logLevel: String = "critical"
    ) async throws -> KubeEmulator {
        let (ports, portsContinuation) = AsyncStream<Int>.makeStream()
        var app = Application(
            responder: EmulatorResponder(cluster: cluster, serving: serving),
            server: try serving.serverBuilder(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                portsContinuation.yield(channel.localAddress?.port ?? port)
                portsContinuation.finish()
            }
        )
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? logLevel
        if let parsed = type(of: app.logger.logLevel).init(rawValue: level) {
            app.logger.logLevel = parsed
        }
        let task = Task {
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: 50_000_000)
                    cluster.tick()
                }
            }
            defer { ticker.cancel() }
            do {
                try await app.run()
            } catch {
                portsContinuation.finish()
                throw error
            }
            portsContinuation.finish()
        }
        var bound: Int?
        for await p in ports {
            bound = p
            break
        }
        guard let bound else {
            _ = try await task.value
            throw KubeAPIError(code: 500, reason: "InternalError", message: "the server stopped before it started listening")
        }
        cluster.setServerAddress("\(host):\(bound)")
        return KubeEmulator(cluster: cluster, host: host, port: bound, serving: serving, task: task)
    }

    /// Stops the server and waits until it has closed.
    public func shutdown() async {
        task.cancel()
        _ = await task.result
    }

    /// Waits until the server stops (for the command-line tool).
    public func wait() async throws {
        try await task.value
    }

    /// Writes a kubeconfig that points at this server and returns its path. Over TLS it skips server
    /// certificate verification (the emulator does not know which CA signed its certificate) and uses
    /// the first configured token.
    @discardableResult
    public func writeKubeconfig(to path: String, namespace: String = "default") throws -> String {
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
                server: \(baseURL)\(serving.tls == nil ? "" : "\n    insecure-skip-tls-verify: true")
            contexts:
            - name: emulator
              context:
                cluster: emulator
                user: emulator
                namespace: \(namespace)
            current-context: emulator
            users:
            - name: emulator
              user:
                token: \(serving.tokens.sorted().first ?? "emulator-token")

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

extension KubeCluster {
    func setServerAddress(_ address: String) {
        lock.withLock { serverAddress = address }
    }
}

/// Turns HTTP requests into `KubeRequest`s for the cluster, and streams watches.
struct EmulatorResponder: HTTPResponder {
    typealias Context = EmulatorRequestContext
    let cluster: KubeCluster
    let serving: KubeServing

    func respond(to request: Request, context: Context) async throws -> Response {
        guard await serving.authenticates(request, channel: context.channel) else {
            return Self.response(.error(KubeServing.unauthorized), method: request.method)
        }
        var request = request
        let body = try await request.collectBody(upTo: 256 << 20)
        let uri = request.uri.string
        var rawPath = uri
        var query: [String: String] = [:]
        if let q = uri.firstIndex(of: "?") {
            rawPath = String(uri[..<q])
            query = KubeRequest.parseQuery(String(uri[uri.index(after: q)...]))
        }
        if let schemeEnd = rawPath.range(of: "://"), let slash = rawPath[schemeEnd.upperBound...].firstIndex(of: "/") {
            rawPath = String(rawPath[slash...])
        }
        let path = rawPath.removingPercentEncoding ?? rawPath
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let kreq = KubeRequest(
            method: request.method.rawValue, path: path, query: query, headers: headers,
            body: body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? [])
        let latency = cluster.options.latency
        if latency > 0 && !path.hasPrefix("/_emulator") {
            try await Task.sleep(nanoseconds: UInt64(latency * 1_000_000_000))
        }
        if KubeCluster.isWatch(kreq) {
            return watchResponse(kreq)
        }
        return Self.response(cluster.handle(kreq), method: request.method)
    }

    static func response(_ resp: KubeResponse, method: HTTPRequest.Method) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = resp.contentType
        fields[.cacheControl] = "no-cache, private"
        return Response(
            status: HTTPResponse.Status(code: resp.status),
            headers: fields,
            body: method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: resp.body)))
    }

    func watchResponse(_ kreq: KubeRequest) -> Response {
        let (start, initial, error) = cluster.startWatch(kreq)
        guard let start else {
            let e = error ?? .error(KubeAPIError.pathNotFound())
            var fields = HTTPFields()
            fields[.contentType] = e.contentType
            return Response(status: HTTPResponse.Status(code: e.status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: e.body)))
        }
        let cluster = self.cluster
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.cacheControl] = "no-cache, private"
        return Response(
            status: .ok, headers: fields,
            body: ResponseBody { writer in
                var cursor = start
                for e in initial {
                    try await writer.write(ByteBuffer(string: e.kubeSerialized() + "\n"))
                }
                while Date() < cursor.deadline && !Task.isCancelled {
                    try await Task.sleep(nanoseconds: 50_000_000)
                    let events = cluster.pollWatch(&cursor)
                    for e in events {
                        try await writer.write(ByteBuffer(string: e.kubeSerialized() + "\n"))
                    }
                }
                try await writer.finish(nil)
            })
    }
}
