import Crypto
import Foundation

/// Webhook signatures, keyed with the subscription's signing secret, so receivers can check that a
/// delivery came from this broker and was not altered:
/// - `X-Brokkr-Signature: sha256=<hex HMAC-SHA256(body)>` — the original header, kept for existing
///   receivers; it does not cover the time, so a captured delivery can be replayed;
/// - `X-Brokkr-Signature-256: t=<unix seconds>,v1=<hex HMAC-SHA256("<t>." + body)>` — covers the
///   timestamp (also sent as `X-Brokkr-Timestamp`): a receiver that rejects a `t` older than a few
///   minutes, and ids it has seen (`X-Brokkr-Delivery-Id`), is safe against replay.
public enum WebhookSignature {
    public static let headerName = "X-Brokkr-Signature"
    public static let timestampedHeaderName = "X-Brokkr-Signature-256"
    public static let timestampHeaderName = "X-Brokkr-Timestamp"
    /// How old a timestamp `verify` accepts by default.
    public static let defaultTolerance: TimeInterval = 300

    /// The signature headers of one delivery at `timestamp` (unix seconds).
    public struct Headers: Sendable, Equatable {
        public let timestamp: Int
        public let legacy: String
        public let timestamped: String

        public var fields: [(name: String, value: String)] {
            [(timestampHeaderName, String(timestamp)), (headerName, legacy), (timestampedHeaderName, timestamped)]
        }
    }

    public static func headers(body: [UInt8], secret: String, timestamp: Int) -> Headers {
        Signer(secret: secret).headers(body: body, timestamp: timestamp)
    }

    /// HMAC-SHA256 keyed once with a subscription's secret, for the many deliveries signed with it
    /// (keying costs about as much as signing a small body). `@unchecked`: the keyed state is a value
    /// that is only ever copied, never mutated in place, so sharing it between tasks is safe.
    public struct Signer: @unchecked Sendable {
        private let keyed: HMAC<SHA256>

        public init(secret: String) { keyed = HMAC(key: SymmetricKey(data: Array(secret.utf8))) }

        public func headers(body: [UInt8], timestamp: Int) -> Headers {
            var legacy = keyed
            legacy.update(data: body)
            var timestamped = keyed
            timestamped.update(data: Array("\(timestamp).".utf8))
            timestamped.update(data: body)
            return Headers(
                timestamp: timestamp, legacy: "sha256=" + Array(legacy.finalize()).hexString,
                timestamped: "t=\(timestamp),v1=\(Array(timestamped.finalize()).hexString)")
        }
    }

    /// `sha256=<hex>` over the body alone (the original's header).
    public static func header(body: [UInt8], secret: String) -> String {
        "sha256=" + hex(hmac(body, secret: secret))
    }

    /// Checks an `X-Brokkr-Signature-256` value as a receiver should: a `v1` signature over
    /// `"<t>." + body` matches (compared in constant time), and `t` is within `tolerance` of `now`.
    public static func verify(
        _ header: String, body: [UInt8], secret: String, now: Date = Date(),
        tolerance: TimeInterval = defaultTolerance
    ) -> Bool {
        var timestamp: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) } else if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= tolerance else { return false }
        let expected = Array(hex(hmac(Array("\(timestamp).".utf8) + body, secret: secret)).utf8)
        return signatures.contains { constantTimeEqual(Array($0.utf8), expected) }
    }

    /// A new per-subscription secret (`whsec_` + 32 random bytes in hex), shown once on create.
    public static func newSecret() -> String {
        "whsec_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max)) }.joined()
    }

    static func hmac(_ message: [UInt8], secret: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8))))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.hexString
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
