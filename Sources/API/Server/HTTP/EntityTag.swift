import BrokkrCommon
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Entity tags and `If-None-Match` (RFC 9110 §13.1.2): the comparison is weak, and a client sends
/// back the one tag it was given, so that case is checked first.
enum EntityTag {
    static func isMatched(_ tag: String, byIfNoneMatch header: String?) -> Bool {
        guard let header else { return false }
        if header == tag { return true }
        return header.split(separator: ",").contains { candidate in
            var candidate = candidate.trimmingCharacters(in: .whitespaces)
            if candidate.hasPrefix("W/") { candidate.removeFirst(2) }
            return candidate == tag
        }
    }

    /// A strong tag for a body: the first 128 bits of its SHA-256, in hex.
    static func of(body: ByteBuffer) -> String {
        "\"\(body.withUnsafeReadableBytes { Checksum.sha256Hex(bytes: $0) }.prefix(32))\""
    }
}

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
