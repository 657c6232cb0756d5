import BrokkrCommon
import Foundation
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
