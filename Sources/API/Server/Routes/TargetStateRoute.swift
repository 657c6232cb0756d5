import BrokkrCommon
import Foundation
import Hummingbird
import NIOCore

/// GET /agents/{id}/target-state: the agent's target state with an `ETag`, `304 Not Modified` for a
/// matching `If-None-Match` (without running the target-state query), and a long poll with `wait`.
/// A document already built at the agent's current version is served again without the query.
enum TargetStateRoute {
    /// Longer waits are cut to this: proxies and clients commonly time out idle requests after 60 s.
    static let maxWaitSeconds = 60

    static func get(_ request: Request, agentID: UUID, channel: any Channel, _ s: BrokerServices) async throws -> Response {
        let query = request.uri.queryParameters
        let full = query["mode"] == "full"
        let wait = try waitSeconds(query["wait"])
        let ifNoneMatch = request.headers[.ifNoneMatch]
        let versions = s.targetStateVersions
        // The version is read before the document: a change committing in between yields an older
        // tag with newer content, which costs one extra 200 later, never a missed change.
        var tag = TargetStateTag(version: try await versions.version(agentID: agentID), full: full)
        if tag.isMatched(byIfNoneMatch: ifNoneMatch), wait > 0 {
            s.metrics.targetStateLongPolls.increment()
            defer { s.metrics.targetStateLongPolls.decrement() }
            let (waiters, known) = (s.targetStateWaiters, tag.version)
            // A client that leaves mid-wait gets its 304 at once (to a closed socket) rather than after `wait`.
            let version = try await ClientCloseWatcher.cancellingOnClientClose(channel) {
                try await waiters.waitForChange(agentID: agentID, from: known, timeout: .seconds(wait)) {
                    try await versions.version(agentID: agentID)
                }
            }
            tag = TargetStateTag(version: version, full: full)
        }
        if tag.isMatched(byIfNoneMatch: ifNoneMatch) {
            return Response(status: .notModified, headers: [.eTag: tag.headerValue])
        }
        let body: ByteBuffer
        if let built = s.targetStateDocuments.body(agentID: agentID, full: full, version: tag.version) {
            body = built
        } else {
            body = ByteBuffer(bytes: try ContractJSON.encode(try await s.deploymentObjects.targetState(agentID: agentID, includeDeployed: full)))
            s.targetStateDocuments.store(body, agentID: agentID, full: full, version: tag.version)
        }
        var response = JSONResponse.bytes(body)
        response.headers[.eTag] = tag.headerValue
        return response
    }

    /// `wait` in whole seconds, capped at `maxWaitSeconds`; 0 when absent.
    static func waitSeconds(_ raw: Substring?) throws -> Int {
        guard let raw else { return 0 }
        guard let seconds = Int(raw), seconds >= 0 else { throw APIError(.invalidParameter, "wait must be a non-negative integer (seconds)") }
        return min(seconds, maxWaitSeconds)
    }
}
