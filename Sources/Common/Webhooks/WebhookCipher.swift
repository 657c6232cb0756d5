import Crypto
import Foundation
import Logging

/// Encryption at rest of webhook URLs, auth headers and signing secrets (Brokkr's format):
/// AES-256-GCM, stored as `0x01 || nonce(12) || ciphertext || tag(16)`. Decryption also reads the
/// original's legacy XOR format (`0x00 || nonce(16) || data`, or a bare `nonce(16) || data`).
public struct WebhookCipher: Sendable {
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case invalidData(String)
        case decryptionFailed
        case notUTF8

        public var description: String {
            switch self {
            case .invalidData(let message): return message
            case .decryptionFailed: return "Decryption failed (wrong key or corrupted data)"
            case .notUTF8: return "Decrypted value is not valid UTF-8"
            }
        }
    }

    static let version: UInt8 = 0x01
    static let legacyVersion: UInt8 = 0x00
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public init(keyBytes: [UInt8]) {
        precondition(keyBytes.count == 32, "webhook encryption keys are 32 bytes")
        self.keyBytes = keyBytes
    }

    /// The key configured in `broker.webhook_encryption_key`; without one, a random key only when
    /// `broker.allow_ephemeral_webhook_key` is set, otherwise a configuration error (a random key
    /// would silently make every stored secret unreadable after a restart).
    public init(settings: Settings.Broker, logger: Logger) throws {
        if let hex = settings.webhookEncryptionKey {
            guard let bytes = WebhookKeyText.bytes(hex) else {
                throw ConfigurationError("broker.webhook_encryption_key: \(WebhookKeyText.problem(hex) ?? "invalid key")")
            }
            self.init(keyBytes: bytes)
        } else if settings.allowEphemeralWebhookKey {
            logger.warning(
                "No encryption key configured, generating random key. Configure BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY for production use.")
            self.init(keyBytes: (0..<32).map { _ in UInt8.random(in: .min ... .max) })
        } else {
            throw ConfigurationError(
                """
                broker.webhook_encryption_key is not set. Webhook URLs and auth headers are encrypted with it; a random \
                key would make them unreadable after a restart. Set BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY to 64 hex \
                characters (e.g. `openssl rand -hex 32`), the same for every api and brokkr-webhooks process, or set \
                broker.allow_ephemeral_webhook_key = true for local development.
                """)
        }
        logger.info("Encryption key fingerprint: \(fingerprint)")
    }

    /// Hex of the first 8 bytes of SHA-256(key): identifies the key in logs without revealing it.
    public var fingerprint: String {
        SHA256.hash(data: keyBytes).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    public func encrypt(_ plaintext: String) throws -> [UInt8] {
        let sealed = try AES.GCM.seal(Array(plaintext.utf8), using: key, nonce: AES.GCM.Nonce())
        return [Self.version] + Array(sealed.nonce) + Array(sealed.ciphertext) + Array(sealed.tag)
    }

    public func decrypt(_ data: [UInt8]) throws -> String {
        guard let first = data.first else { throw Failure.invalidData("Empty data") }
        let plain: [UInt8]
        switch first {
        case Self.version:
            let body = data.dropFirst()
            guard body.count >= 12 else { throw Failure.invalidData("Ciphertext too short (missing nonce)") }
            guard body.count >= 12 + 16 else { throw Failure.decryptionFailed }
            do {
                let box = try AES.GCM.SealedBox(
                    nonce: AES.GCM.Nonce(data: body.prefix(12)),
                    ciphertext: body.dropFirst(12).dropLast(16), tag: body.suffix(16))
                plain = Array(try AES.GCM.open(box, using: key))
            } catch {
                throw Failure.decryptionFailed
            }
        case Self.legacyVersion:
            plain = try legacyXOR(Array(data.dropFirst()))
        default:
            guard data.count >= 16 else { throw Failure.invalidData("Data too short") }
            plain = try legacyXOR(data)
        }
        guard let text = String(bytes: plain, encoding: .utf8) else { throw Failure.notUTF8 }
        return text
    }

    /// The original's pre-AES format: `nonce(16) || data`, mask = SHA-256(key || nonce).
    private func legacyXOR(_ input: [UInt8]) throws -> [UInt8] {
        guard input.count >= 16 else { throw Failure.invalidData("Legacy ciphertext too short (missing nonce)") }
        let mask = Array(SHA256.hash(data: keyBytes + input.prefix(16)))
        return input.dropFirst(16).enumerated().map { $0.element ^ mask[$0.offset % 32] }
    }

    /// Writes the legacy format (for tests that read rows written by the original).
    public func legacyEncrypt(_ plaintext: String, nonce: [UInt8]) -> [UInt8] {
        let mask = Array(SHA256.hash(data: keyBytes + nonce))
        return nonce + Array(plaintext.utf8).enumerated().map { $0.element ^ mask[$0.offset % 32] }
    }
}

/// The text form of the key: 64 hex digits (either case).
public enum WebhookKeyText {
    public static func bytes(_ hex: String) -> [UInt8]? {
        guard problem(hex) == nil else { return nil }
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    public static func problem(_ hex: String) -> String? {
        guard hex.utf8.count % 2 == 0, hex.allSatisfy({ $0.isHexDigit && $0.isASCII }) else {
            return "Invalid hex encoding: expected 64 hex characters"
        }
        guard hex.utf8.count == 64 else { return "Key must be 32 bytes, got \(hex.utf8.count / 2) bytes" }
        return nil
    }
}
