import BrokkrCommon
import Foundation
import XCTest

/// The webhook signature headers as a receiver checks them. The known-answer values come from Python's
/// `hmac` module, so a receiver in any language can test its check against the same vectors.
final class WebhookSignatureTests: XCTestCase {
    let body = Array(#"{"id":"e1","event_type":"stack.created"}"#.utf8)
    let secret = "whsec_test"
    let sent = Date(timeIntervalSince1970: 1_767_225_600)

    func testKnownAnswers() {
        let headers = WebhookSignature.headers(body: body, secret: secret, timestamp: 1_767_225_600)
        XCTAssertEqual(headers.legacy, "sha256=819b89c95f4f8434b5551047bb196da9daa10db084cff2b4a5acf36eb48ac19e")
        XCTAssertEqual(headers.timestamped, "t=1767225600,v1=5ad09f5bbce9ddb3b5cc64b412feaa0b2d56375ad87962a3cee17aefbeefec53")
        XCTAssertEqual(headers.fields.map(\.name), ["X-Brokkr-Timestamp", "X-Brokkr-Signature", "X-Brokkr-Signature-256"])
    }

    func testVerification() {
        let header = WebhookSignature.headers(body: body, secret: secret, timestamp: 1_767_225_600).timestamped
        XCTAssertTrue(WebhookSignature.verify(header, body: body, secret: secret, now: sent.addingTimeInterval(30)))
        XCTAssertFalse(WebhookSignature.verify(header, body: body + [0x20], secret: secret, now: sent), "an altered body")
        XCTAssertFalse(WebhookSignature.verify(header, body: body, secret: "whsec_other", now: sent), "another secret")
        XCTAssertFalse(WebhookSignature.verify(header, body: body, secret: secret, now: sent.addingTimeInterval(301)), "replayed after 5 minutes")
        XCTAssertFalse(WebhookSignature.verify(header, body: body, secret: secret, now: sent.addingTimeInterval(-301)), "from the future")
        XCTAssertTrue(WebhookSignature.verify(header, body: body, secret: secret, now: sent.addingTimeInterval(3000), tolerance: 3600))
        // A moved timestamp breaks the signature: it is covered.
        let moved = header.replacingOccurrences(of: "t=1767225600", with: "t=1767225900")
        XCTAssertFalse(WebhookSignature.verify(moved, body: body, secret: secret, now: sent.addingTimeInterval(300)))
        // Several v1 values (e.g. during a secret rotation): one match is enough.
        let v1 = header.components(separatedBy: "v1=")[1]
        XCTAssertTrue(WebhookSignature.verify("t=1767225600,v1=\(String(repeating: "0", count: 64)),v1=\(v1)", body: body, secret: secret, now: sent))
        for malformed in ["", "t=1767225600", "v1=\(v1)", "t=x,v1=\(v1)", "sha256=\(v1)"] {
            XCTAssertFalse(WebhookSignature.verify(malformed, body: body, secret: secret, now: sent), malformed)
        }
    }
}
