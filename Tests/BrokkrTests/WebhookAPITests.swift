import BrokkrCommon
import BrokkrQueue
import Foundation
import Logging
import PostgresNIO
import XCTest

/// Webhook subscriptions, event fan-out and agent delivery over real HTTP (spec 03 §3.11, §9;
/// spec 05 §1 and its acceptance scenarios 1–17). Nothing here sends HTTP: the API writes rows.
final class WebhookAPITests: XCTestCase {
    static func subscribe(_ b: TestBroker, _ json: String) async throws -> JSONValue {
        let r = try await b.post("webhooks", b.adminPAK, json)
        XCTAssertEqual(r.status, 201, r.body)
        return r.json
    }

    static func deliveries(_ b: TestBroker, _ subscription: String) async throws -> [JSONValue] {
        try await b.get("webhooks/\(subscription)/deliveries", b.adminPAK).json.arrayValue ?? []
    }

    func testSubscriptionCRUDValidationAndSafeView() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            do {
                let v = try await b.post("webhooks", agent.pak, #"{"name":"n","url":"http://x","event_types":["*"]}"#).error
                XCTAssertEqual(v, "Admin access required")
            }
            for (body, message) in [
                (#"{"name":"n","url":"   ","event_types":["*"]}"#, "URL is required"),
                (#"{"name":"n","url":"ftp://x","event_types":["*"]}"#, "URL must start with http:// or https://"),
                (#"{"name":"n","url":"http://x","event_types":[]}"#, "At least one event type is required"),
                (#"{"name":" ","url":"http://x","event_types":["*"]}"#, "Name cannot be empty"),
                (#"{"name":"\#(String(repeating: "n", count: 256))","url":"http://x","event_types":["*"]}"#, "Name cannot exceed 255 characters"),
                (#"{"name":"n","url":"http://x","event_types":["*"],"filters":{"agent_id":"nope"}}"#, nil),
            ] {
                let r = try await b.post("webhooks", b.adminPAK, body)
                if let message {
                    XCTAssertEqual(r.status, 400, body)
                    XCTAssertEqual(r.error, message)
                } else {
                    XCTAssertEqual(r.status, 422, "a mistyped field: \(body)")
                }
            }
            let created = try await Self.subscribe(
                b, #"{"name":"n","url":"http://sink/hook","event_types":["stack.*"],"auth_header":"Bearer t","target_labels":[]}"#)
            XCTAssertNil(created["filters"], "no filters: the key is left out (not nullable in the contract)")
            for (key, value) in [
                ("has_url", JSONValue.bool(true)), ("has_auth_header", .bool(true)), ("enabled", .bool(true)),
                ("max_retries", .int(5)), ("timeout_seconds", .int(30)), ("created_by", .string("admin")),
                ("target_labels", .null),
            ] {
                XCTAssertEqual(created[key], value, key)
            }
            XCTAssertNil(created["url"])
            XCTAssertNil(created["auth_header"])
            let secret = created["signing_secret"]?.stringValue ?? ""
            XCTAssertTrue(secret.hasPrefix("whsec_"), created.serialized())
            let id = created["id"]!.stringValue!
            let fetched = try await b.get("webhooks/\(id)", b.adminPAK)
            XCTAssertNil(fetched["signing_secret"], "the secret is shown once")
            XCTAssertEqual(fetched["event_types"], .array([.string("stack.*")]))

            // Encrypted at rest in Brokkr's layout: 0x01 || nonce(12) || ciphertext || tag(16).
            for try await (url, auth) in try await b.database.query("SELECT url_encrypted, auth_header_encrypted FROM webhook_subscriptions").decode(
                (ByteBuffer, ByteBuffer).self)
            {
                XCTAssertEqual(url.getInteger(at: url.readerIndex, as: UInt8.self), 1)
                XCTAssertEqual(url.readableBytes, "http://sink/hook".utf8.count + 29)
                XCTAssertEqual(auth.readableBytes, "Bearer t".utf8.count + 29)
            }

            // Partial updates: omitted keeps, null clears.
            let cleared = try await b.put("webhooks/\(id)", b.adminPAK, #"{"auth_header":null}"#)
            XCTAssertEqual(cleared["has_auth_header"], .bool(false))
            XCTAssertEqual(cleared["name"], .string("n"))
            let disabled = try await b.put(
                "webhooks/\(id)", b.adminPAK, #"{"enabled":false,"filters":{"labels":{"env":"prod"}},"target_labels":["env:prod"]}"#)
            XCTAssertEqual(disabled["enabled"], .bool(false))
            XCTAssertEqual(disabled["event_types"], .array([.string("stack.*")]))
            XCTAssertEqual(disabled["filters"], .object(["labels": .object(["env": .string("prod")])]))
            XCTAssertEqual(disabled["target_labels"], .array([.string("env:prod")]))
            do {
                let v = try await b.put("webhooks/\(id)", b.adminPAK, #"{"url":"gopher://x"}"#).status
                XCTAssertEqual(v, 400)
            }
            do {
                let v = try await b.put("webhooks/\(UUID())", b.adminPAK, #"{"enabled":true}"#).error
                XCTAssertEqual(v, "Webhook subscription not found")
            }
            do {
                let v = try await b.get("webhooks", b.adminPAK).json.arrayValue?.count
                XCTAssertEqual(v, 1)
            }
            do {
                let v = try await b.get("webhooks/event-types", b.adminPAK).json
                XCTAssertEqual(v, .array(BrokkrEventType.all.map(JSONValue.string)))
            }
            do {
                let v = try await b.get("webhooks/event-types", b.adminPAK).json.arrayValue?.count
                XCTAssertEqual(v, 12)
            }
            do {
                let v = try await b.delete("webhooks/\(id)", b.adminPAK).status
                XCTAssertEqual(v, 204)
            }
            do {
                let v = try await b.delete("webhooks/\(id)", b.adminPAK).error
                XCTAssertEqual(v, "Webhook subscription not found")
            }

            try await b.flushAudit()
            var actions: [String] = []
            for try await a in try await b.database.query(
                "SELECT action FROM audit_logs WHERE resource_type = 'webhook_subscription' ORDER BY timestamp"
            ).decode(String.self) {
                actions.append(a)
            }
            XCTAssertEqual(actions, ["webhook.created", "webhook.updated", "webhook.updated", "webhook.deleted"])
        }
    }

    func testEveryEventTypeIsWrittenWithTheChangeThatCausedIt() async throws {
        try await TestBroker.run { b in
            let all = try await Self.subscribe(b, #"{"name":"all","url":"http://127.0.0.1:9/","event_types":["*"]}"#)["id"]!.stringValue!
            let agent = try await b.createAgent()
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)
            let object = try await b.createObject(stackID: stack, yaml: "a: 1")["id"]!.stringValue!
            for status in ["SUCCESS", "FAILURE"] {
                _ = try await b.post(
                    "agents/\(agent.id)/events", agent.pak, #"{"deployment_object_id":"\#(object)","event_type":"DEPLOY","status":"\#(status)"}"#)
            }
            do {
                let v = try await b.delete("stacks/\(stack)", b.adminPAK).status
                XCTAssertEqual(v, 204)
            }
            let order = try await b.post("work-orders", b.adminPAK, #"{"work_type":"b","yaml_content":"x","target_agent_ids":["\#(agent.id)"]}"#)[
                "id"]!.stringValue!
            _ = try await b.post("work-orders/\(order)/claim", agent.pak, #"{"agent_id":"\#(agent.id)"}"#)
            _ = try await b.post("work-orders/\(order)/complete", agent.pak, #"{"success":true}"#)
            let failing = try await b.post("work-orders", b.adminPAK, #"{"work_type":"b","yaml_content":"x","target_agent_ids":["\#(agent.id)"]}"#)[
                "id"]!.stringValue!
            _ = try await b.post("work-orders/\(failing)/claim", agent.pak, #"{"agent_id":"\#(agent.id)"}"#)
            _ = try await b.post("work-orders/\(failing)/complete", agent.pak, #"{"success":false,"retryable":false}"#)
            do {
                let v = try await b.delete("agents/\(agent.id)", b.adminPAK).status
                XCTAssertEqual(v, 204)
            }

            let rows = try await Self.deliveries(b, all)
            XCTAssertEqual(Set(rows.compactMap { $0["event_type"]?.stringValue }), Set(BrokkrEventType.all))
            for row in rows {
                XCTAssertNil(row["claimed_by"])
                XCTAssertEqual(row["status"], .string("pending"))
                let payload = try JSONValue.parse(row["payload"]?.stringValue ?? "")
                XCTAssertEqual(payload["id"], row["event_id"])
                XCTAssertEqual(payload["event_type"], row["event_type"])
                XCTAssertNotNil(RFC3339.date(from: payload["timestamp"]?.stringValue ?? ""))
            }
            let registered = rows.first { $0["event_type"] == .string("agent.registered") }!
            let data = try JSONValue.parse(registered["payload"]!.stringValue!)["data"]
            XCTAssertEqual(data?["agent_id"], .string(agent.id))
            XCTAssertEqual(data?["cluster"], .string("cluster-1"))
        }
    }

    func testPatternsFiltersAndDisabledSubscriptions() async throws {
        try await TestBroker.run { b in
            let gen = try await b.createGenerator()
            let prod = try await b.createStack(generatorID: gen.id)
            let dev = try await b.createStack(generatorID: gen.id)
            _ = try await b.request(.POST, "stacks/\(prod)/labels", pak: b.adminPAK, json: #""env=prod""#)
            _ = try await b.post("stacks/\(dev)/annotations", b.adminPAK, #"{"key":"env","value":"dev"}"#)
            let subscriptions = [
                ("deploy", #"{"name":"d","url":"http://h/","event_types":["deployment.*"]}"#),
                ("stackExact", #"{"name":"s","url":"http://h/","event_types":["stack.deleted"]}"#),
                ("prodOnly", #"{"name":"p","url":"http://h/","event_types":["*"],"filters":{"labels":{"env":"prod"}}}"#),
                ("devByAnnotation", #"{"name":"v","url":"http://h/","event_types":["*"],"filters":{"labels":{"env":"dev"}}}"#),
                ("oneStack", #"{"name":"o","url":"http://h/","event_types":["*"],"filters":{"stack_id":"\#(dev)"}}"#),
                ("prefixOnly", #"{"name":"x","url":"http://h/","event_types":["deploy.*"]}"#),
            ]
            var ids: [String: String] = [:]
            for (key, json) in subscriptions { ids[key] = try await Self.subscribe(b, json)["id"]!.stringValue! }
            let disabled = try await Self.subscribe(b, #"{"name":"off","url":"http://h/","event_types":["*"]}"#)["id"]!.stringValue!
            _ = try await b.put("webhooks/\(disabled)", b.adminPAK, #"{"enabled":false}"#)
            for stack in [prod, dev] { _ = try await b.createObject(stackID: stack, yaml: "a: 1") }

            func types(_ key: String) async throws -> [String] {
                try await Self.deliveries(b, ids[key]!).compactMap { $0["event_type"]?.stringValue }.sorted()
            }
            do {
                let v = try await types("deploy")
                XCTAssertEqual(v, ["deployment.created", "deployment.created"])
            }
            do {
                let v = try await types("stackExact")
                XCTAssertEqual(v, [])
            }
            do {
                let v = try await types("prodOnly")
                XCTAssertEqual(v, ["deployment.created"])
            }
            do {
                let v = try await types("devByAnnotation")
                XCTAssertEqual(v, ["deployment.created"])
            }
            do {
                let v = try await types("oneStack")
                XCTAssertEqual(v, ["deployment.created"])
            }
            do {
                let v = try await types("prefixOnly")
                XCTAssertEqual(v, [])
            }
            do {
                let v = try await Self.deliveries(b, disabled).count
                XCTAssertEqual(v, 0)
            }
            do {
                let v = try await b.get("webhooks/\(ids["deploy"]!)/deliveries?status=pending&limit=1", b.adminPAK).json.arrayValue?.count
                XCTAssertEqual(v, 1)
            }
            do {
                let v = try await b.get("webhooks/\(ids["deploy"]!)/deliveries?status=dead", b.adminPAK).json.arrayValue?.count
                XCTAssertEqual(v, 0)
            }
            do {
                let v = try await b.get("webhooks/\(UUID())/deliveries", b.adminPAK).status
                XCTAssertEqual(v, 404)
            }
        }
    }

    func testTestEndpointQueuesADeliveryAndSendsNothing() async throws {
        try await TestBroker.run { b in
            let id = try await Self.subscribe(b, #"{"name":"t","url":"http://127.0.0.1:9/unreachable","event_types":["none"]}"#)["id"]!.stringValue!
            let r = try await b.post("webhooks/\(id)/test", b.adminPAK)
            XCTAssertEqual(r.status, 200, r.body)
            XCTAssertEqual(r["success"], .bool(true))
            XCTAssertEqual(r["message"], .string("Test delivery queued"))
            let rows = try await Self.deliveries(b, id)
            XCTAssertEqual(rows.count, 1)
            XCTAssertEqual(rows.first?["id"], r["delivery_id"])
            XCTAssertEqual(rows.first?["status"], .string("pending"))
            let payload = try JSONValue.parse(rows.first?["payload"]?.stringValue ?? "")
            XCTAssertEqual(payload["event_type"], .string("webhook.test"))
            XCTAssertEqual(payload["data"]?["message"], .string("This is a test webhook delivery from Brokkr"))
            XCTAssertEqual(payload["data"]?["subscription_id"], .string(id))
            do {
                let v = try await b.post("webhooks/\(UUID())/test", b.adminPAK).status
                XCTAssertEqual(v, 404)
            }
            // A URL written under another key cannot be decrypted: 500, as in the original.
            let other = WebhookCipher(keyBytes: Array(repeating: 7, count: 32))
            try await b.database.query("UPDATE webhook_subscriptions SET url_encrypted = \(ByteBuffer(bytes: try other.encrypt("http://x")))")
            do {
                let v = try await b.post("webhooks/\(id)/test", b.adminPAK).error
                XCTAssertEqual(v, "Failed to decrypt webhook URL")
            }
        }
    }

    func testAgentDeliveryClaimsByLabelSubsetAndRecordsResults() async throws {
        try await TestBroker.run { b in
            let prod = try await b.createAgent()
            let lacking = try await b.createAgent()
            for label in ["env:prod", "region:us"] {
                _ = try await b.request(.POST, "agents/\(prod.id)/labels", pak: b.adminPAK, json: "\"\(label)\"")
            }
            _ = try await b.request(.POST, "agents/\(lacking.id)/labels", pak: b.adminPAK, json: #""region:us""#)
            let sub = try await Self.subscribe(
                b,
                #"{"name":"a","url":"http://alertmanager.monitoring.svc:9093/x","auth_header":"Bearer s","event_types":["none"],"target_labels":["env:prod"],"max_retries":2,"timeout_seconds":5}"#
            )
            let subID = sub["id"]!.stringValue!
            for _ in 0..<12 { _ = try await b.post("webhooks/\(subID)/test", b.adminPAK) }

            do {
                let v = try await b.get("agents/\(lacking.id)/webhooks/pending", lacking.pak).json
                XCTAssertEqual(v, .array([]))
            }
            do {
                let v = try await b.get("agents/\(prod.id)/webhooks/pending", lacking.pak)["code"]?.stringValue
                XCTAssertEqual(v, "agent_pak_mismatch")
            }
            do {
                let v = try await b.get("agents/\(UUID())/webhooks/pending", b.adminPAK).error
                XCTAssertEqual(v, "Agent not found")
            }
            let first = try await b.get("agents/\(prod.id)/webhooks/pending", prod.pak).json.arrayValue ?? []
            XCTAssertEqual(first.count, 10, "at most 10 per call")
            let item = first[0]
            XCTAssertEqual(item["url"], .string("http://alertmanager.monitoring.svc:9093/x"))
            XCTAssertEqual(item["auth_header"], .string("Bearer s"))
            XCTAssertEqual(item["timeout_seconds"], .int(5))
            XCTAssertEqual(item["max_retries"], .int(2))
            XCTAssertEqual(item["attempts"], .int(1))
            let payload = item["payload"]?.stringValue ?? ""
            XCTAssertEqual(
                item["signature"], .string(WebhookSignature.header(body: Array(payload.utf8), secret: sub["signing_secret"]!.stringValue!)))
            XCTAssertTrue(
                WebhookSignature.verify(
                    item["signature_256"]?.stringValue ?? "", body: Array(payload.utf8), secret: sub["signing_secret"]!.stringValue!))
            XCTAssertEqual(item["signature_256"]?.stringValue?.hasPrefix("t=\(item["timestamp"]?.serialized() ?? "-"),v1="), true)
            let second = try await b.get("agents/\(prod.id)/webhooks/pending", prod.pak).json.arrayValue ?? []
            XCTAssertEqual(second.count, 2)
            do {
                let v = try await b.get("agents/\(prod.id)/webhooks/pending", prod.pak).json
                XCTAssertEqual(v, .array([]))
            }

            let d1 = first[0]["id"]!.stringValue!
            let d2 = first[1]["id"]!.stringValue!
            do {
                let v = try await b.post("webhook-deliveries/\(d1)/result", b.adminPAK, #"{"success":true}"#)
                XCTAssertEqual(v.status, 403)
                XCTAssertEqual(v["code"]?.stringValue, "agent_pak_required")
            }
            do {
                let v = try await b.post("webhook-deliveries/\(d1)/result", lacking.pak, #"{"success":true}"#).error
                XCTAssertEqual(v, "Delivery not acquired by this agent")
            }
            do {
                let v = try await b.post("webhook-deliveries/\(UUID())/result", prod.pak, #"{"success":true}"#).error
                XCTAssertEqual(v, "Delivery not found")
            }
            let ok = try await b.post("webhook-deliveries/\(d1)/result", prod.pak, #"{"success":true,"status_code":200,"duration_ms":12}"#)
            XCTAssertEqual(ok.json, .object(["status": .string("success"), "delivery_id": .string(d1)]))
            let failed = try await b.post("webhook-deliveries/\(d2)/result", prod.pak, #"{"success":false,"error":"HTTP 500: boom"}"#)
            XCTAssertEqual(failed["status"], .string("failed"))
            XCTAssertEqual(failed["attempts"], .int(1))
            XCTAssertNotEqual(failed["next_retry_at"], .null)
            do {
                let v = try await b.post("webhook-deliveries/\(d2)/result", prod.pak, #"{"success":true}"#).status
                XCTAssertEqual(v, 409, "no longer acquired")
            }
            // Second attempt of d2 uses up max_retries = 2: dead.
            try await b.database.query("UPDATE webhook_deliveries SET next_retry_at = now() WHERE id = \(UUID(uuidString: d2)!)")
            let again = try await b.get("agents/\(prod.id)/webhooks/pending", prod.pak).json.arrayValue ?? []
            XCTAssertEqual(again.map { $0["id"] }, [.string(d2)])
            let dead = try await b.post("webhook-deliveries/\(d2)/result", prod.pak, #"{"success":false}"#)
            XCTAssertEqual(dead["status"], .string("dead"))
            XCTAssertEqual(dead["attempts"], .int(2))
            XCTAssertEqual(dead["next_retry_at"], .null)
            let row = try await Self.deliveries(b, subID).first { $0["id"] == .string(d2) }
            XCTAssertEqual(row?["last_error"], .string("Unknown error"))
            XCTAssertNotEqual(row?["completed_at"], .null)
            XCTAssertEqual(row?["acquired_by"], .string(prod.id))
        }
    }
}

/// The encryption format and the key rules (spec 05 §12).
final class WebhookCipherTests: XCTestCase {
    func testRoundTripLayoutAndWrongKey() throws {
        let cipher = WebhookCipher(keyBytes: Array(repeating: 0, count: 32))
        let sealed = try cipher.encrypt("https://example.test/hook")
        XCTAssertEqual(sealed.first, 1)
        XCTAssertEqual(sealed.count, "https://example.test/hook".utf8.count + 29)
        XCTAssertEqual(try cipher.decrypt(sealed), "https://example.test/hook")
        XCTAssertNotEqual(try cipher.encrypt("x"), try cipher.encrypt("x"), "a fresh nonce each time")
        XCTAssertThrowsError(try WebhookCipher(keyBytes: Array(repeating: 1, count: 32)).decrypt(sealed))
        XCTAssertThrowsError(try cipher.decrypt([])) { XCTAssertEqual("\($0)", "Empty data") }
        XCTAssertThrowsError(try cipher.decrypt([1, 2, 3])) { XCTAssertEqual("\($0)", "Ciphertext too short (missing nonce)") }
        XCTAssertThrowsError(try cipher.decrypt([9, 2, 3])) { XCTAssertEqual("\($0)", "Data too short") }
    }

    func testLegacyXORIsStillReadable() throws {
        let cipher = WebhookCipher(keyBytes: Array(0..<32))
        let nonce = Array(UInt8(100)..<UInt8(116))
        let legacy = cipher.legacyEncrypt("http://old.example/hook", nonce: nonce)
        XCTAssertEqual(try cipher.decrypt(legacy), "http://old.example/hook")
        XCTAssertEqual(try cipher.decrypt([0] + legacy), "http://old.example/hook")
    }

    func testKeyConfiguration() throws {
        let logger = Logger(label: "test")
        XCTAssertThrowsError(try Settings.load(file: nil, environment: ["BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY": "abcd"])) {
            XCTAssertTrue("\($0)".contains("Key must be 32 bytes, got 2 bytes"), "\($0)")
        }
        XCTAssertThrowsError(
            try Settings.load(file: nil, environment: ["BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY": String(repeating: "zz", count: 32)]))
        let unset = try Settings.load(file: nil, environment: [:])
        XCTAssertThrowsError(try WebhookCipher(settings: unset.broker, logger: logger)) {
            XCTAssertTrue("\($0)".contains("BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY"), "\($0)")
        }
        let dev = try Settings.load(file: nil, environment: ["BROKKR__BROKER__ALLOW_EPHEMERAL_WEBHOOK_KEY": "true"])
        XCTAssertNoThrow(try WebhookCipher(settings: dev.broker, logger: logger))
        let set = try Settings.load(file: nil, environment: ["BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY": String(repeating: "00", count: 32)])
        let cipher = try WebhookCipher(settings: set.broker, logger: logger)
        XCTAssertEqual(try WebhookCipher(keyBytes: Array(repeating: 0, count: 32)).decrypt(cipher.encrypt("u")), "u")
    }

    func testSignatureIsHMACSHA256OfTheBody() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        XCTAssertEqual(
            WebhookSignature.header(body: Array("what do ya want for nothing?".utf8), secret: "Jefe"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
