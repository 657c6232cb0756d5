import BrokkrCommon
import Foundation
import XCTest

/// `brokkr-api` admin commands as a real process against the test broker's schema (spec/03 §6.1).
final class CLITests: XCTestCase {
    static func run(_ b: TestBroker, _ arguments: [String]) async throws -> (Int32?, String) {
        let child = try ChildProcess(
            product: "brokkr-api", arguments: arguments,
            environment: [
                "BROKKR__DATABASE__URL": TestDatabase.url, "BROKKR__DATABASE__SCHEMA": b.settings.database.schema ?? "",
                "BROKKR__LOG__LEVEL": "warn", "PATH": "/usr/bin:/bin",
            ])
        let status = try await child.waitForExit(timeout: .seconds(60))
        return (status, child.output)
    }

    static func value(_ label: String, in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix(label) }.map { String($0.dropFirst(label.count)) }
    }

    func testCreateAndRotateKeysFromTheCommandLine() async throws {
        try await TestBroker.run { b in
            let (status, out) = try await Self.run(b, ["create", "agent", "--name", "cli-agent", "--cluster-name", "c9"])
            XCTAssertEqual(status, 0, out)
            XCTAssertTrue(out.contains("Agent created successfully:"), out)
            let id = Self.value("ID: ", in: out) ?? ""
            let pak = Self.value("Initial PAK: ", in: out) ?? ""
            do {
                let v = try await b.post("auth/pak", pak)["agent"]
                XCTAssertEqual(v, .string(id))
            }

            let (gStatus, gOut) = try await Self.run(b, ["create", "generator", "--name", "cli-gen", "--description", "from cli"])
            XCTAssertEqual(gStatus, 0, gOut)
            let genPAK = Self.value("Initial PAK: ", in: gOut) ?? ""
            do {
                let v = try await b.post("auth/pak", genPAK)["generator"]
                XCTAssertEqual(v, .string(Self.value("ID: ", in: gOut) ?? ""))
            }

            let (rStatus, rOut) = try await Self.run(b, ["rotate", "agent", "--uuid", id])
            XCTAssertEqual(rStatus, 0, rOut)
            let newPAK = Self.value("New agent PAK: ", in: rOut) ?? ""
            XCTAssertNotEqual(newPAK, pak)
            do {
                let v = try await b.post("auth/pak", newPAK)["agent"]
                XCTAssertEqual(v, .string(id))
            }

            let (aStatus, aOut) = try await Self.run(b, ["rotate", "admin"])
            XCTAssertEqual(aStatus, 0, aOut)
            let admin = Self.value("New admin PAK: ", in: aOut) ?? ""
            do {
                let v = try await b.post("auth/pak", admin)["admin"]
                XCTAssertEqual(v, .bool(true))
            }

            let (missing, mOut) = try await Self.run(b, ["rotate", "generator", "--uuid", UUID().uuidString])
            XCTAssertNotEqual(missing, 0)
            XCTAssertTrue(mOut.contains("Generator not found"), mOut)
            let (bad, bOut) = try await Self.run(b, ["create", "agent", "--name", " ", "--cluster-name", "c"])
            XCTAssertNotEqual(bad, 0)
            XCTAssertTrue(bOut.contains("Agent name cannot be empty"), bOut)
        }
    }
}
