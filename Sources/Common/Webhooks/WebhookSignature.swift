import Crypto
import Foundation

/// `X-Brokkr-Signature: sha256=<hex HMAC-SHA256(body)>`, keyed with the subscription's signing
/// secret, so receivers can check that a delivery came from this broker and was not altered.
public enum WebhookSignature {
    public static let headerName = "X-Brokkr-Signature"

    public static func header(body: [UInt8], secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// A new per-subscription secret (`whsec_` + 32 random bytes in hex), shown once on create.
    public static func newSecret() -> String {
        "whsec_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max)) }.joined()
    }
}
