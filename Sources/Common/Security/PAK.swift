import Crypto
import Foundation

/// Brokkr's prefixed API keys: `{prefix}_{short}_{long}`, e.g. `brokkr_BR3rVsDa_GK3QN7…`.
/// Only `hex(SHA-256(long))` is stored, so hashes written by the original broker verify here.
public struct PAKGenerator: Sendable {
    public let settings: Settings.PAK

    public init(settings: Settings.PAK) { self.settings = settings }

    /// A new key and its stored hash. The key is shown once and never persisted.
    public func generate() -> (pak: String, hash: String) {
        let short = String(
            (settings.shortTokenPrefix + Base58.encode(Self.randomBytes(settings.shortTokenLength)))
                .prefix(max(settings.shortTokenLength, settings.shortTokenPrefix.count + 1)))
        let long = Base58.encode(Self.randomBytes(settings.longTokenLength))
        let pak = "\(settings.prefix)_\(short)_\(long)"
        return (pak, PAKHash.of(longToken: long))
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}

public enum PAKHash {
    /// Hash used for storage and lookup: lowercase hex SHA-256 of the long token.
    public static func of(longToken: String) -> String {
        SHA256.hash(data: Array(longToken.utf8)).hexString
    }

    /// The stored hash for a presented `Authorization` value, or nil when it is not a PAK.
    /// Accepts `Bearer <pak>` and a bare `<pak>` (spaces and tabs around either are ignored): like the
    /// original, only the third `_`-separated part (the long token) is hashed, so any prefix before the
    /// first `_` is irrelevant. Every request carries one, so this reads the bytes without copying them
    /// into strings.
    public static func of(authorizationHeader raw: String) -> String? {
        var raw = raw
        return raw.withUTF8 { bytes -> String? in
            func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
            var start = bytes.startIndex
            var end = bytes.endIndex
            func trim() {
                while start < end, isBlank(bytes[start]) { start += 1 }
                while end > start, isBlank(bytes[end - 1]) { end -= 1 }
            }
            trim()
            let bearer = Array("bearer ".utf8)
            if end - start >= bearer.count,
                zip(bytes[start..<start + bearer.count], bearer).allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 })
            {
                start += bearer.count
                trim()
            }
            guard start < end, end - start <= 512, bytes[start..<end].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
            let underscores = bytes[start..<end].indices.filter { bytes[$0] == UInt8(ascii: "_") }
            guard underscores.count == 2, let last = underscores.last, last + 1 < end else { return nil }
            return SHA256.hash(data: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[(last + 1)..<end])).hexString
        }
    }

    public static func isValid(_ hash: String) -> Bool {
        hash.utf8.count == 64 && hash.unicodeScalars.allSatisfy { $0.properties.isASCIIHexDigit }
    }

    /// Compares two hashes in time independent of where they differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

extension Sequence where Element == UInt8 {
    public var hexString: String {
        let digits: StaticString = "0123456789abcdef"
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for b in self {
            out.append(digits.utf8Start[Int(b >> 4)])
            out.append(digits.utf8Start[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension SHA256.Digest {
    public var hexString: String { Array(self).hexString }
}

public enum Checksum {
    /// Lowercase hex SHA-256 of UTF-8 text (deployment object YAML, template content).
    public static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).hexString
    }

    public static func sha256Hex(bytes: UnsafeRawBufferPointer) -> String {
        SHA256.hash(data: bytes).hexString
    }
}
