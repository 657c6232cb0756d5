import BrokkrCommon
import Foundation
import Hummingbird
import NIOCore

extension JSONResponse {
    /// A polled list (pending work orders, pending diagnostics): 200 with an `ETag` of its encoding, or
    /// `304 Not Modified` without a body when the request's `If-None-Match` names that tag. The list
    /// is still read (what is pending also depends on time: retry back-offs, expiries), but an
    /// unchanged one is neither sent nor parsed again.
    static func conditional<T: Encodable>(_ value: T, for request: Request) throws -> Response {
        let body = ByteBuffer(bytes: try ContractJSON.encode(value))
        let tag = EntityTag.of(body: body)
        if EntityTag.isMatched(tag, byIfNoneMatch: request.headers[.ifNoneMatch]) {
            return Response(status: .notModified, headers: [.eTag: tag])
        }
        var response = bytes(body)
        response.headers[.eTag] = tag
        return response
    }
}
