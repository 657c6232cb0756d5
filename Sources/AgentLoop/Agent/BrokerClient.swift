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

    public init(baseURL: String, pak: String, http: HTTPClient = .shared) {
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
        var request = HTTPClientRequest(url: baseURL + "/api/v1" + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(pak)")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// Looks the agent up by name and cluster (the original's startup handshake).
    public func findSelf(name: String, cluster: String) async throws -> JSONValue {
        let query = "name=\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name)&cluster_name=\(cluster.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cluster)"
        let (status, body) = try await request(.GET, "/agents/?\(query)")
        guard status == 200 else { throw BrokerError(status: status, body: body) }
        return try JSONValue.parse(body)
    }

    public func heartbeat(agentID: String) async throws {
        let (status, body) = try await request(.POST, "/agents/\(agentID)/heartbeat")
        guard status == 204 else { throw BrokerError(status: status, body: body) }
    }
}
