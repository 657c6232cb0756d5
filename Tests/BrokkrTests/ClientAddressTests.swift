import BrokkrCommon
import Foundation
import XCTest

/// Who the audited client is, and what a flood of bad keys costs.
final class ClientAddressTests: XCTestCase {
    static func failedAuthAddresses(_ b: TestBroker) async throws -> [String] {
        try await b.flushAudit()
        let logs = try await b.get("admin/audit-logs?action=auth.failed", b.adminPAK)["logs"]?.arrayValue ?? []
        return logs.compactMap { $0["ip_address"]?.stringValue }
    }

    func testForwardedForIsIgnoredFromUntrustedPeers() async throws {
        try await TestBroker.run { b in
            let r = try await b.request(
                .GET, "agents", pak: "brokkr_BRnope0000_notakeynotakeynotakey",
                headers: [("X-Forwarded-For", "203.0.113.9"), ("X-Brokkr-Client-Address", "198.51.100.1")])
            XCTAssertEqual(r.status, 401)
            let addresses = try await Self.failedAuthAddresses(b)
            XCTAssertEqual(addresses, ["127.0.0.1"], "without trusted proxies the peer is the client, whatever the headers say")
        }
    }

    func testTrustedProxiesForwardTheClientAddress() async throws {
        try await TestBroker.run(extraConfig: ["BROKKR__BROKER__TRUSTED_PROXIES": "127.0.0.1,10.0.0.0/8"]) { b in
            _ = try await b.request(
                .GET, "agents", pak: "brokkr_BRnope0000_notakeynotakeynotakey",
                headers: [("X-Forwarded-For", "198.51.100.7, 203.0.113.9, 10.1.2.3")])
            let addresses = try await Self.failedAuthAddresses(b)
            XCTAssertEqual(addresses, ["203.0.113.9"], "the nearest address that is not a trusted proxy")
        }
    }

    func testAFloodOfBadKeysIsAuditedOncePerAddressAndMinute() async throws {
        try await TestBroker.run { b in
            for _ in 0..<40 {
                let r = try await b.get("agents", "brokkr_BRnope0000_notakeynotakeynotakey")
                XCTAssertEqual(r.status, 401)
            }
            let addresses = try await Self.failedAuthAddresses(b)
            XCTAssertLessThanOrEqual(addresses.count, 2, "at most one entry per minute (two if the minute turned)")
            XCTAssertGreaterThanOrEqual(addresses.count, 1)
            let metrics = try await b.get("/metrics", nil).body
            XCTAssertTrue(metrics.contains("brokkr_auth_failures_total 40"), "every failure is counted: \(metrics)")
        }
    }

    func testIPRanges() {
        XCTAssertTrue(IPRange("10.0.0.0/8")!.contains("10.200.1.1"))
        XCTAssertFalse(IPRange("10.0.0.0/8")!.contains("11.0.0.1"))
        XCTAssertTrue(IPRange("127.0.0.1")!.contains("::ffff:127.0.0.1"))
        XCTAssertTrue(IPRange("fd00::/8")!.contains("fd12::1"))
        XCTAssertFalse(IPRange("fd00::/8")!.contains("fe80::1"))
        XCTAssertNil(IPRange("10.0.0.0/33"))
        XCTAssertNil(IPRange("not-an-address"))
    }
}
