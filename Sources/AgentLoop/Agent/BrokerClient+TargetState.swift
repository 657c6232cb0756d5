import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension BrokerClient {
    public struct TargetStateResponse: Sendable {
        public let status: Int
        public let body: String
        /// The broker's `ETag`; nil from brokers that do not send one.
        public let etag: String?
    }

    /// GET target-state. With the ETag of the last document, asks for `304 Not Modified` when nothing
    /// changed, waiting up to `waitSeconds` for a change first (a long poll). `full` asks for every
    /// targeted object, deployed ones included (the periodic resync), instead of the ones not yet deployed.
    public func targetState(agentID: String, ifNoneMatch etag: String?, waitSeconds: Int, full: Bool = false) async throws -> TargetStateResponse {
        let longPoll = etag != nil && waitSeconds > 0
        let query = [full ? "mode=full" : nil, longPoll ? "wait=\(waitSeconds)" : nil].compactMap { $0 }.joined(separator: "&")
        var request = HTTPClientRequest(url: baseURL + "/api/v1/agents/\(agentID)/target-state" + (query.isEmpty ? "" : "?" + query))
        request.method = .GET
        request.headers.add(name: "Authorization", value: "Bearer \(pak)")
        if let etag { request.headers.add(name: "If-None-Match", value: etag) }
        let response = try await http.execute(request, timeout: .seconds(30 + Int64(longPoll ? waitSeconds : 0)))
        let body = try await response.body.collect(upTo: 64 << 20)
        return TargetStateResponse(
            status: Int(response.status.code), body: String(buffer: body),
            etag: response.headers.first(name: "ETag"))
    }
}
