import AsyncHTTPClient
import BrokkrCommon
import Foundation
import NIOCore
import NIOHTTP1

/// The agent's view of the broker: the HTTP contract, authenticated with the agent's PAK.
public struct BrokerClient: Sendable {
    public let baseURL: String
    let pak: String
    let http: HTTPClient

    /// The agent's own loops retry every broker call (heartbeats, polls and event reports each on their
    /// schedule), so a refused connection fails the call at once instead of being retried inside the
    /// HTTP client until its 10 s connect timeout: an unreachable broker is reported, and at start-up
    /// given up on, after `agent.max_retries` attempts one polling interval apart.
    public static let defaultHTTP: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The last answer of each polled list, for conditional GETs (`getPolled`); shared by copies.
    let polled = PolledAnswers()

    public init(baseURL: String, pak: String, http: HTTPClient = BrokerClient.defaultHTTP) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.pak = pak
        self.http = http
    }

    public struct BrokerError: Error, CustomStringConvertible {
        public let status: Int
        public let body: String
        public var description: String { "broker answered \(status): \(body)" }
    }

    public func request(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> (Int, String) {
        let (status, _, body) = try await exchange(method, path, json: json)
        return (status, body)
    }

    /// One authenticated request: status, headers and body.
    func exchange(_ method: HTTPMethod, _ path: String, json: String? = nil, ifNoneMatch: String? = nil) async throws -> (
        Int, HTTPHeaders, String
    ) {
        var request = HTTPClientRequest(url: baseURL + "/api/v1" + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(pak)")
        if let traceparent = TraceContext.currentTraceparent { request.headers.add(name: "traceparent", value: traceparent) }
        if let ifNoneMatch { request.headers.add(name: "If-None-Match", value: ifNoneMatch) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), response.headers, String(buffer: body))
    }

    /// GETs a polled list, sending the `ETag` of its last answer: on `304 Not Modified` the last answer
    /// is used again, unparsed by the broker and unsent. Brokers that send no `ETag` (the original) are
    /// asked plainly every time.
    func getPolled<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        let last = polled.answer(for: path)
        let (status, headers, body) = try await exchange(.GET, path, ifNoneMatch: last?.etag)
        switch status {
        case 304 where last != nil:
            polled.countNotModified()
            return try ContractJSON.decode(type, from: last!.body)
        case 200:
            let decoded = try ContractJSON.decode(type, from: body)
            polled.store(path: path, etag: headers.first(name: "ETag"), body: body)
            return decoded
        default:
            throw BrokerError(status: status, body: body)
        }
    }

    /// Sends a contract request model as the JSON body.
    public func request(_ method: HTTPMethod, _ path: String, body: some Encodable) async throws -> (Int, String) {
        try await request(method, path, json: try ContractJSON.encodeString(body))
    }

    /// GETs a contract model (or a list of them); any status but 200 is a `BrokerError`.
    public func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        let (status, body) = try await request(.GET, path)
        guard status == 200 else { throw BrokerError(status: status, body: body) }
        return try ContractJSON.decode(type, from: body)
    }

    /// Looks the agent up by name and cluster (the original's startup handshake).
    public func findSelf(name: String, cluster: String) async throws -> Agent {
        let query =
            "name=\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name)&cluster_name=\(cluster.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cluster)"
        return try await get("/agents/?\(query)", as: Agent.self)
    }

    public func heartbeat(agentID: String) async throws {
        let (status, body) = try await request(.POST, "/agents/\(agentID)/heartbeat")
        guard status == 204 else { throw BrokerError(status: status, body: body) }
    }
}
