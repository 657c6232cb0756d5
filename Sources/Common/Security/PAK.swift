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
    /// Accepts `Bearer <pak>` and a bare `<pak>`: like the original, only the third `_`-separated
    /// part (the long token) is hashed, so any prefix before the first `_` is irrelevant.
    public static func of(authorizationHeader raw: String) -> String? {
        var value = raw.trimmingCharacters(in: .whitespaces)
        if value.lowercased().hasPrefix("bearer ") { value = String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        guard !value.isEmpty, value.utf8.count <= 512, value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
            return nil
        }
        let parts = value.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[2].isEmpty else { return nil }
        return of(longToken: String(parts[2]))
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
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in self {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
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
}
