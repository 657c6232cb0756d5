import BrokkrCommon
import Crypto
import Foundation
import XCTest

@testable import BrokkrTelemetry

final class PAKTests: XCTestCase {
    func testGeneratedKeysHaveBrokkrFormatAndHashOfLongToken() {
        let generator = PAKGenerator(settings: try! Settings.load(file: nil, environment: [:]).pak)
        let (pak, hash) = generator.generate()
        let parts = pak.split(separator: "_").map(String.init)
        XCTAssertEqual(parts.count, 3)
        XCTAssertEqual(parts[0], "brokkr")
        XCTAssertTrue(parts[1].hasPrefix("BR"))
        XCTAssertEqual(parts[1].count, 8)
        let base58 = CharacterSet(charactersIn: "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
        XCTAssertTrue(parts[2].unicodeScalars.allSatisfy { base58.contains($0) })
        XCTAssertEqual(hash, SHA256.hash(data: Data(parts[2].utf8)).map { String(format: "%02x", $0) }.joined())
        XCTAssertNotEqual(generator.generate().pak, pak)
    }

    func testAuthorizationHeaderFormsHashTheLongToken() {
        let expected = PAKHash.of(longToken: "secretlong")
        XCTAssertEqual(PAKHash.of(authorizationHeader: "Bearer x_y_secretlong"), expected)
        XCTAssertEqual(PAKHash.of(authorizationHeader: "x_y_secretlong"), expected)
        XCTAssertEqual(PAKHash.of(authorizationHeader: "bearer   x_y_secretlong"), expected)
        XCTAssertEqual(PAKHash.of(authorizationHeader: "\tBEARER x_y_secretlong\t"), expected)
        XCTAssertNil(PAKHash.of(authorizationHeader: "Bearer"))
        XCTAssertNil(PAKHash.of(authorizationHeader: "Bearer x y_secretlong"), "no spaces inside a key")
        XCTAssertNil(PAKHash.of(authorizationHeader: "x_y_sécretlong"), "keys are printable ASCII")
        XCTAssertNil(PAKHash.of(authorizationHeader: "x_y_" + String(repeating: "k", count: 509)), "at most 512 characters")
        XCTAssertNil(PAKHash.of(authorizationHeader: "not-a-pak"))
        XCTAssertNil(PAKHash.of(authorizationHeader: "a_b_c_d"))
        XCTAssertNil(PAKHash.of(authorizationHeader: "a_b_"))
        XCTAssertNil(PAKHash.of(authorizationHeader: ""))
    }

    func testBase58MatchesKnownVectors() {
        XCTAssertEqual(Base58.encode(Array("Hello World!".utf8)), "2NEpo7TZRRrLZSi2U")
        XCTAssertEqual(Base58.encode([0, 0, 1]), "112")
        XCTAssertEqual(Base58.encode([]), "")
    }

    func testConstantTimeEquals() {
        XCTAssertTrue(PAKHash.constantTimeEquals("abc", "abc"))
        XCTAssertFalse(PAKHash.constantTimeEquals("abc", "abd"))
        XCTAssertFalse(PAKHash.constantTimeEquals("abc", "abcd"))
    }
}

final class ConfigurationTests: XCTestCase {
    func testDefaults() throws {
        let s = try Settings.load(file: nil, environment: [:])
        XCTAssertEqual(s.broker.port, 3000)
        XCTAssertEqual(s.broker.authCacheTTLSeconds, 60)
        XCTAssertEqual(s.pak.prefix, "brokkr")
        XCTAssertEqual(s.cors.allowedOrigins, ["http://localhost:3001"])
        XCTAssertEqual(s.agent.healthPort, 8080)
        XCTAssertNil(s.database.schema)
    }

    func testFileOverridesDefaultsAndEnvironmentOverridesFile() throws {
        let path = NSTemporaryDirectory() + "brokkr-\(UUID().uuidString).toml"
        try """
        # comment
        [log]
        level = "debug"   # trailing comment
        [broker]
        webhook_delivery_batch_size = 10
        auth_cache_ttl_seconds = 5
        [cors]
        allowed_origins = [
          "http://a.com",
          "http://b.com",
        ]
        [telemetry.broker]
        service_name = "x"
        """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let s = try Settings.load(file: path, environment: ["BROKKR__BROKER__AUTH_CACHE_TTL_SECONDS": "0", "BROKKR__DATABASE__SCHEMA": "tenant_a"])
        XCTAssertEqual(s.log.level, "debug")
        XCTAssertEqual(s.broker.webhookDeliveryBatchSize, 10)
        XCTAssertEqual(s.broker.authCacheTTLSeconds, 0)
        XCTAssertEqual(s.cors.allowedOrigins, ["http://a.com", "http://b.com"])
        XCTAssertEqual(s.database.schema, "tenant_a")
        XCTAssertEqual(s.configFile, path)
    }

    func testEnvironmentListsAreCommaSeparated() throws {
        let s = try Settings.load(file: nil, environment: ["BROKKR__CORS__ALLOWED_ORIGINS": "http://a.com, http://b.com"])
        XCTAssertEqual(s.cors.allowedOrigins, ["http://a.com", "http://b.com"])
    }

    func testTelemetryRolesInheritTheBaseKeysUnlessOverridden() throws {
        let defaults = try Settings.load(file: nil, environment: [:]).telemetry
        XCTAssertEqual(
            defaults.broker,
            Settings.Telemetry.Resolved(
                enabled: false, otlpEndpoint: "http://localhost:4317", serviceName: "brokkr",
                samplingRate: 0.1, otlpProtocol: "grpc"))
        XCTAssertEqual(defaults.agent, defaults.broker)
        let t = try Settings.load(
            file: nil,
            environment: [
                "BROKKR__TELEMETRY__ENABLED": "true", "BROKKR__TELEMETRY__OTLP_ENDPOINT": "http://collector:4318",
                "BROKKR__TELEMETRY__OTLP_PROTOCOL": "http/protobuf", "BROKKR__TELEMETRY__AGENT__SERVICE_NAME": "brokkr-agent",
                "BROKKR__TELEMETRY__AGENT__SAMPLING_RATE": "1", "BROKKR__TELEMETRY__BROKER__ENABLED": "false",
            ]
        ).telemetry
        XCTAssertEqual(
            t.broker,
            Settings.Telemetry.Resolved(
                enabled: false, otlpEndpoint: "http://collector:4318", serviceName: "brokkr",
                samplingRate: 0.1, otlpProtocol: "http/protobuf"))
        XCTAssertEqual(
            t.agent,
            Settings.Telemetry.Resolved(
                enabled: true, otlpEndpoint: "http://collector:4318", serviceName: "brokkr-agent",
                samplingRate: 1, otlpProtocol: "http/protobuf"))
        let http = try Settings.load(file: nil, environment: ["BROKKR__TELEMETRY__AGENT__OTLP_PROTOCOL": "http/json"]).telemetry
        XCTAssertEqual(http.agent.otlpEndpoint, "http://localhost:4318", "without an endpoint, the protocol's standard port")
        XCTAssertEqual(http.broker.otlpEndpoint, "http://localhost:4317")
        XCTAssertThrowsError(try Settings.load(file: nil, environment: ["BROKKR__TELEMETRY__OTLP_PROTOCOL": "zipkin"])) { error in
            XCTAssertTrue("\(error)".contains("telemetry.otlp_protocol must be one of grpc, http/protobuf, http/json"), "\(error)")
        }
        XCTAssertThrowsError(try Settings.load(file: nil, environment: ["BROKKR__TELEMETRY__BROKER__SAMPLING_RATE": "2"])) { error in
            XCTAssertTrue("\(error)".contains("telemetry.broker.sampling_rate"), "\(error)")
        }
        XCTAssertEqual(TelemetryExporter.tracesURL("http://collector:4318"), "http://collector:4318/v1/traces")
        XCTAssertEqual(TelemetryExporter.tracesURL("http://collector:4318/"), "http://collector:4318/v1/traces")
        XCTAssertEqual(TelemetryExporter.tracesURL("https://otel.example.com/custom/traces"), "https://otel.example.com/custom/traces")
    }

    func testBadValuesAreClearErrors() throws {
        XCTAssertThrowsError(try Settings.load(file: nil, environment: ["BROKKR__BROKER__PORT": "abc"])) { error in
            XCTAssertTrue("\(error)".contains("broker.port"), "\(error)")
            XCTAssertTrue("\(error)".contains("BROKKR__BROKER__PORT"), "\(error)")
        }
        XCTAssertThrowsError(try Settings.load(file: nil, environment: ["BROKKR__DATABASE__SCHEMA": "tenant-acme"])) { error in
            XCTAssertTrue("\(error)".contains("Invalid schema name"), "\(error)")
        }
        XCTAssertThrowsError(try Settings.load(file: nil, environment: ["BROKKR__BROKER__PAK_HASH": String(repeating: "a", count: 63)])) { error in
            XCTAssertTrue("\(error)".contains("Invalid PAK hash"), "\(error)")
        }
        XCTAssertThrowsError(try Settings.load(file: nil, environment: ["BROKKR__LOG__FORMAT": "xml"]))
        XCTAssertThrowsError(try Settings.load(file: "/nonexistent/brokkr.toml", environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("cannot read config file"), "\(error)")
        }
        let path = NSTemporaryDirectory() + "brokkr-bad-\(UUID().uuidString).toml"
        try "[broker\nport = ".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try Settings.load(file: path, environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("invalid config file"), "\(error)")
        }
    }

    func testMetricsEndpointNormalisation() {
        XCTAssertEqual(BrokerMetrics.normalize("/api/v1/agents/7c9e6679-7425-40de-944b-e07fc1f90ae7/events"), "/api/v1/agents/:id/events")
        XCTAssertEqual(BrokerMetrics.normalize("/x/123"), "/x/:id")
        XCTAssertEqual(BrokerMetrics.normalize("/healthz"), "/healthz")
    }

    func testFieldRules() {
        XCTAssertNil(FieldRules.label("env=prod"))
        XCTAssertEqual(FieldRules.label("has space"), "Label cannot contain whitespace")
        XCTAssertEqual(FieldRules.label(String(repeating: "a", count: 65)), "Label cannot exceed 64 characters")
        XCTAssertEqual(FieldRules.label("  "), "Label cannot be empty")
        XCTAssertNotNil(FieldRules.annotation(key: "k", value: "a b"))
    }
}

/// `UUID(text:)` (path parameters) accepts and refuses what Foundation's `UUID(uuidString:)` does, except
/// white space inside the text.
final class UUIDTextTests: XCTestCase {
    func testAgreesWithFoundationOnValidAndMalformedText() {
        var samples = (0..<200).flatMap { _ -> [String] in
            let text = UUID().uuidString
            return [text, text.lowercased()]
        }
        samples += [
            "", "not-a-uuid", "00000000-0000-0000-0000-000000000000", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
            "0000000000000000000000000000000000000", "00000000-0000-0000-0000-00000000000", "00000000-0000-0000-0000-0000000000000",
            "0000000g-0000-0000-0000-000000000000", "00000000_0000-0000-0000-000000000000", "{00000000-0000-0000-0000-000000000000}",
            "00000000-0000-0000-0000-00000000000Z", "00000000-0000-0000-0000-0000000000é",
        ]
        for sample in samples {
            XCTAssertEqual(UUID(text: sample), UUID(uuidString: sample), sample)
            XCTAssertEqual(UUID(text: Substring(sample)), UUID(uuidString: sample), sample)
        }
        // Stricter than Foundation's `sscanf`, which skips white space before a hex pair.
        XCTAssertNil(UUID(text: " 0000000-0000-0000-0000-000000000000"))
        XCTAssertNil(UUID(text: "0000000 -0000-0000-0000-000000000000"))
    }
}
