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
        /// Signs with the signing secret, or the auth header for rows the original wrote; nil leaves
        /// the delivery unsigned.
        let signer: WebhookSignature.Signer?
        let payload: String

        /// The signature headers for a delivery sent at `timestamp` (unix seconds).
        public func signature(at timestamp: Int) -> WebhookSignature.Headers? {
            signer?.headers(body: Array(payload.utf8), timestamp: timestamp)
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

    /// The subscription's decrypted URL, auth header and signing key: the same for every delivery to
    /// it, so a batch decrypts it once per subscription.
    public struct Destination: Sendable {
        let url: String
        let authHeader: String?
        let signer: WebhookSignature.Signer?
    }

    /// A subscription's destination, or why it cannot be decrypted (which fails its deliveries for good).
    public typealias DestinationResult = Result<Destination, DecryptionFailure>

    /// Decrypts the URL and auth header, and the key payloads are signed with: the subscription's
    /// signing secret, or (rows written by the original have none) its auth header; none leaves the
    /// delivery unsigned.
    public func destination(_ cipher: WebhookCipher) throws(DecryptionFailure) -> Destination {
        let url: String
        let auth: String?
        let secret: String?
        do { url = try cipher.decrypt(urlEncrypted) } catch { throw .url(error) }
        do { auth = try authHeaderEncrypted.map { try cipher.decrypt($0) } } catch { throw .authHeader(error) }
        do { secret = try signingSecretEncrypted.map { try cipher.decrypt($0) } } catch { throw .signingSecret(error) }
        return Destination(url: url, authHeader: auth, signer: (secret ?? auth).map(WebhookSignature.Signer.init(secret:)))
    }

    /// This delivery to `destination` (which must be its subscription's).
    public func target(_ destination: Destination) -> Target {
        Target(url: destination.url, authHeader: destination.authHeader, signer: destination.signer, payload: payload)
    }

    public func target(_ cipher: WebhookCipher) throws(DecryptionFailure) -> Target {
        target(try destination(cipher))
    }
}
