import BrokkrCommon
import Foundation
import PostgresNIO

/// A claimed delivery with what it takes to send it: the stored payload and the subscription's
/// encrypted URL, auth header and signing secret, and its timeout.
public struct WebhookDeliveryJob: Sendable {
    public let id: UUID
    public let subscriptionID: UUID
    public let eventType: String
    public let eventID: UUID
    public let payload: String
    public let attempts: Int
    public let maxRetries: Int
    public let timeoutSeconds: Int
    /// The trace of the request that caused the delivery (W3C `traceparent`), if it was traced.
    public let traceparent: String?
    let urlEncrypted: [UInt8]
    let authHeaderEncrypted: [UInt8]?
    let signingSecretEncrypted: [UInt8]?

    /// The decrypted destination. A URL that cannot be decrypted makes the delivery impossible; an
    /// auth header or secret that cannot be decrypted is reported by `problem`.
    public struct Target: Sendable {
        public let url: String
        public let authHeader: String?
        /// The key signatures are made with: the signing secret, or the auth header for rows the
        /// original wrote; nil leaves the delivery unsigned.
        let signingKey: String?
        let payload: String

        /// The signature headers for a delivery sent at `timestamp` (unix seconds).
        public func signature(at timestamp: Int) -> WebhookSignature.Headers? {
            signingKey.map { WebhookSignature.headers(body: Array(payload.utf8), secret: $0, timestamp: timestamp) }
        }
    }

    public enum DecryptionFailure: Error, CustomStringConvertible {
        case url(Error), authHeader(Error), signingSecret(Error)
        public var description: String {
            switch self {
            case .url(let e): return "Failed to decrypt URL: \(e)"
            case .authHeader(let e): return "Failed to decrypt auth header: \(e)"
            case .signingSecret(let e): return "Failed to decrypt signing secret: \(e)"
            }
        }
    }

    /// Decrypts the URL and auth header and signs the payload: with the subscription's signing
    /// secret, or (rows written by the original have none) its auth header; unsigned without either.
    public func target(_ cipher: WebhookCipher) throws(DecryptionFailure) -> Target {
        let url: String
        let auth: String?
        let secret: String?
        do { url = try cipher.decrypt(urlEncrypted) } catch { throw .url(error) }
        do { auth = try authHeaderEncrypted.map { try cipher.decrypt($0) } } catch { throw .authHeader(error) }
        do { secret = try signingSecretEncrypted.map { try cipher.decrypt($0) } } catch { throw .signingSecret(error) }
        return Target(url: url, authHeader: auth, signingKey: secret ?? auth, payload: payload)
    }
}
