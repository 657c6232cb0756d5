import BrokkrCommon
import Foundation
import XCTest

/// The v0.4.2 wire contract as Brokkr's published clients see it: 201 for creates, typed error
/// codes, INACTIVE new agents, generator-managed targets and a generator's own stack list.
final class ContractTests: XCTestCase {
    func testCreatesAnswer201() async throws {
        try await TestBroker.run { b in
            let gen = try await b.createGenerator()
            let agent = try await b.createAgent()
            let stack = try await b.createStack(generatorID: gen.id, pak: gen.pak)
            let object = try await b.createObject(stackID: stack, yaml: "a: 1", pak: gen.pak)
            let objectID = object["id"]?.stringValue ?? ""
            let template = try await b.post("templates", gen.pak, #"{"name":"t","template_content":"a: 1","parameters_schema":"{}"}"#)
            let templateID = template["id"]?.stringValue ?? ""
            let creates: [(String, String, String)] = [
                (
                    "agents/\(agent.id)/events", agent.pak,
                    #"{"agent_id":"\#(agent.id)","deployment_object_id":"\#(objectID)","event_type":"DEPLOY","status":"SUCCESS"}"#
                ),
                ("agents/\(agent.id)/labels", b.adminPAK, #"{"agent_id":"\#(agent.id)","label":"env"}"#),
                ("agents/\(agent.id)/annotations", b.adminPAK, #"{"agent_id":"\#(agent.id)","key":"k","value":"v"}"#),
                ("agents/\(agent.id)/targets", gen.pak, #"{"agent_id":"\#(agent.id)","stack_id":"\#(stack)"}"#),
                ("stacks/\(stack)/labels", gen.pak, #""env""#),
                ("stacks/\(stack)/annotations", gen.pak, #"{"stack_id":"\#(stack)","key":"k","value":"v"}"#),
                ("templates/\(templateID)/labels", gen.pak, #""env""#),
                ("templates/\(templateID)/annotations", gen.pak, #"{"key":"k","value":"v"}"#),
                ("generators/\(gen.id)/rotate-pak", b.adminPAK, "{}"),  // last: it retires gen.pak
            ]
            XCTAssertEqual(template.status, 201, template.body)
            for (path, pak, body) in creates {
                let r = try await b.post(path, pak, body)
                XCTAssertEqual(r.status, 201, "POST \(path): \(r.body)")
            }
            // Agent PAK rotation stays 200, as in the contract.
            do {
                let v = try await b.post("agents/\(agent.id)/rotate-pak", b.adminPAK).status
                XCTAssertEqual(v, 200)
            }
        }
    }

    func testErrorBodiesCarryTheContractCode() async throws {
        try await TestBroker.run { b in
            let missing = UUID().uuidString
            let r = try await b.get("agents/\(missing)", b.adminPAK)
            XCTAssertEqual(r.status, 404)
            XCTAssertEqual(r["code"]?.stringValue, "agent_not_found")
            XCTAssertEqual(r["message"]?.stringValue, r["error"]?.stringValue, "`error` is kept for older clients")
            XCTAssertNil(r["details"], "details is left out when empty")

            _ = try await b.createGenerator("dup")
            let dup = try await b.post("generators", b.adminPAK, #"{"name":"dup"}"#)
            XCTAssertEqual(dup.status, 409)
            XCTAssertEqual(dup["code"]?.stringValue, "unique_violation")
            XCTAssertEqual(dup["details"]?["constraint"]?.stringValue, "unique_generator_name")

            _ = try await b.createAgent("a", cluster: "c")
            let dupAgent = try await b.post("agents", b.adminPAK, #"{"name":"a","cluster_name":"c"}"#)
            XCTAssertEqual(dupAgent["details"]?["constraint"]?.stringValue, "unique_agent_cluster", dupAgent.body)

            let gen = try await b.createGenerator()
            let agent = try await b.createAgent()
            do {
                let v = try await b.get("generators", gen.pak)["code"]?.stringValue
                XCTAssertEqual(v, "admin_required")
            }
            do {
                let v = try await b.get("agents/\(agent.id)", gen.pak)["code"]?.stringValue
                XCTAssertEqual(v, "agent_pak_mismatch")
            }
            do {
                let v = try await b.get("stacks", agent.pak)["code"]?.stringValue
                XCTAssertEqual(v, "stacks_list_denied")
            }
            do {
                let v = try await b.post("stacks", agent.pak, #"{"name":"s","generator_id":"\#(gen.id)"}"#)["code"]?.stringValue
                XCTAssertEqual(v, "stack_create_denied")
            }
            do {
                let v = try await b.get("templates", agent.pak)["code"]?.stringValue
                XCTAssertEqual(v, "templates_not_accessible")
            }
            do {
                let v = try await b.post("webhook-deliveries/\(missing)/result", b.adminPAK, #"{"success":true}"#)["code"]?.stringValue
                XCTAssertEqual(v, "agent_pak_required")
            }

            let search = try await b.get("agents/", b.adminPAK)
            XCTAssertEqual(search.status, 400, "the search without its parameters is not the list")
            XCTAssertEqual(search["code"]?.stringValue, "name_and_cluster_required")

            let stack = try await b.createStack(generatorID: gen.id)
            let missingYAML = try await b.post("stacks/\(stack)/deployment-objects", gen.pak, #"{"is_deletion_marker":false}"#)
            XCTAssertEqual(missingYAML.status, 422, "a missing typed field is 422, as the contract's extractor answers")
            let blank = try await b.post("stacks/\(stack)/deployment-objects", gen.pak, #"{"yaml_content":"  "}"#)
            XCTAssertEqual(blank.status, 400)
            XCTAssertEqual(blank["code"]?.stringValue, "invalid_deployment_object")
        }
    }

    func testNewAgentsStartInactiveAndGetNothingUntilActivated() async throws {
        try await TestBroker.run { b in
            let gen = try await b.createGenerator()
            let agent = try await b.createAgent(active: false)
            let stack = try await b.createStack(generatorID: gen.id, pak: gen.pak)
            _ = try await b.createObject(stackID: stack, yaml: "a: 1", pak: gen.pak)
            do {
                let v = try await b.post("agents/\(agent.id)/targets", gen.pak, #"{"agent_id":"\#(agent.id)","stack_id":"\#(stack)"}"#).status
                XCTAssertEqual(v, 201)
            }
            let me = try await b.get("agents/\(agent.id)", agent.pak)
            XCTAssertEqual(me["status"]?.stringValue, "INACTIVE")
            // An agent may activate itself, as in the original; heartbeats never change the status.
            do {
                let v = try await b.post("agents/\(agent.id)/heartbeat", agent.pak).status
                XCTAssertEqual(v, 204)
            }
            do {
                let v = try await b.get("agents/\(agent.id)", agent.pak)["status"]?.stringValue
                XCTAssertEqual(v, "INACTIVE")
            }
            let activated = try await b.put("agents/\(agent.id)", agent.pak, #"{"status":"ACTIVE"}"#)
            XCTAssertEqual(activated["status"]?.stringValue, "ACTIVE", activated.body)
        }
    }

    func testGeneratorsManageTargetsOfTheirOwnStacks() async throws {
        try await TestBroker.run { b in
            let owner = try await b.createGenerator()
            let stranger = try await b.createGenerator()
            let agent = try await b.createAgent()
            let stack = try await b.createStack(generatorID: owner.id, pak: owner.pak)
            let body = #"{"agent_id":"\#(agent.id)","stack_id":"\#(stack)"}"#
            let byStranger = try await b.post("agents/\(agent.id)/targets", stranger.pak, body)
            XCTAssertEqual(byStranger.status, 403)
            XCTAssertEqual(byStranger["code"]?.stringValue, "target_generator_mismatch")
            let byAgent = try await b.post("agents/\(agent.id)/targets", agent.pak, body)
            XCTAssertEqual(byAgent["code"]?.stringValue, "target_create_denied")
            let unknownStack = try await b.post(
                "agents/\(agent.id)/targets", owner.pak, #"{"agent_id":"\#(agent.id)","stack_id":"\#(UUID().uuidString)"}"#)
            XCTAssertEqual(unknownStack["code"]?.stringValue, "stack_not_found")
            let created = try await b.post("agents/\(agent.id)/targets", owner.pak, body)
            XCTAssertEqual(created.status, 201, created.body)
            XCTAssertEqual(created["stack_id"]?.stringValue, stack)
            do {
                let v = try await b.delete("agents/\(agent.id)/targets/\(stack)", stranger.pak)["code"]?.stringValue
                XCTAssertEqual(v, "target_generator_mismatch")
            }
            do {
                let v = try await b.delete("agents/\(agent.id)/targets/\(stack)", owner.pak).status
                XCTAssertEqual(v, 204)
            }
            let gone = try await b.delete("agents/\(agent.id)/targets/\(stack)", owner.pak)
            XCTAssertEqual(gone["code"]?.stringValue, "agent_target_not_found")
            // The admin targets any stack; a missing one is the insert's foreign-key error, not a 500.
            let fk = try await b.post("agents/\(agent.id)/targets", b.adminPAK, #"{"agent_id":"\#(agent.id)","stack_id":"\#(UUID().uuidString)"}"#)
            XCTAssertEqual(fk.status, 422, fk.body)
            XCTAssertEqual(fk["code"]?.stringValue, "foreign_key_violation")
        }
    }

    func testAGeneratorListsItsOwnStacks() async throws {
        try await TestBroker.run { b in
            let one = try await b.createGenerator()
            let two = try await b.createGenerator()
            let mine = try await b.createStack(generatorID: one.id, pak: one.pak)
            let theirs = try await b.createStack(generatorID: two.id, pak: two.pak)
            let deleted = try await b.createStack(generatorID: one.id, pak: one.pak)
            do {
                let v = try await b.delete("stacks/\(deleted)", one.pak).status
                XCTAssertEqual(v, 204)
            }
            let listed = try await b.get("stacks", one.pak).json.arrayValue?.compactMap { $0["id"]?.stringValue }
            XCTAssertEqual(listed, [mine])
            let all = try await b.get("stacks", b.adminPAK).json.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            XCTAssertEqual(Set(all), [mine, theirs])
        }
    }

    func testInputPostgreSQLCannotStoreIsA400() async throws {
        try await TestBroker.run { b in
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)
            let nul = try await b.post("generators", b.adminPAK, #"{"name":"a\u0000b"}"#)
            XCTAssertEqual(nul.status, 400, nul.body)
            let label = try await b.delete("stacks/\(stack)/labels/a%00b", b.adminPAK)
            XCTAssertLessThan(label.status, 500, label.body)
            let query = try await b.get("work-orders?status=a%00b", b.adminPAK)
            XCTAssertLessThan(query.status, 500, query.body)
            let huge = try await b.post(
                "work-orders", b.adminPAK,
                #"{"work_type":"build","yaml_content":"a: 1","target_agent_ids":["\#(UUID().uuidString)"],"backoff_seconds":9223372036854775807}"#)
            XCTAssertEqual(huge.status, 400, huge.body)
            let big = try await b.request(.POST, "generators", pak: b.adminPAK, rawBody: "\"" + String(repeating: "x", count: 9 << 20) + "\"")
            XCTAssertEqual(big.status, 413, String(big.body.prefix(200)))
        }
    }

    func testWebhookURLsAndHeadersAreCheckedStrictly() async throws {
        try await TestBroker.run { b in
            let cases: [(String, String)] = [
                (#"{"name":"w","url":"","event_types":["stack.created"]}"#, "url_required"),
                (#"{"name":"w","url":"ftp://x","event_types":["stack.created"]}"#, "invalid_url_scheme"),
                (#"{"name":"w","url":"http://[::1","event_types":["stack.created"]}"#, "invalid_webhook"),
                (#"{"name":"w","url":"http://a b/","event_types":["stack.created"]}"#, "invalid_webhook"),
                (#"{"name":"w","url":"http://h/","auth_header":"Bearer x\r\nX-Evil: 1","event_types":["stack.created"]}"#, "invalid_webhook"),
            ]
            for (body, code) in cases {
                let r = try await b.post("webhooks", b.adminPAK, body)
                XCTAssertEqual(r.status, 400, "\(body): \(r.body)")
                XCTAssertEqual(r["code"]?.stringValue, code, body)
            }
            do {
                let v = try await b.post("webhooks", b.adminPAK, #"{"name":"w","url":"http://[::1]:8080/x","event_types":["stack.created"]}"#).status
                XCTAssertEqual(v, 201)
            }
        }
    }
}

/// Hostile input through the API answers quickly with a 4xx: nesting, loops and YAML alias bombs
/// are bounded (the engines' own limits are tested in CommonBoundsTests).
final class HostileInputTests: XCTestCase {
    func testBombsAnswerWithA400() async throws {
        try await TestBroker.run { b in
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id, pak: gen.pak)
            let nested = String(repeating: "{% if true %}", count: 10_000) + "x" + String(repeating: "{% endif %}", count: 10_000)
            let deep = try await b.post(
                "templates", gen.pak,
                JSONValue.object([
                    "name": .string("deep"), "template_content": .string(nested), "parameters_schema": .string("{}"),
                ]).serialized())
            XCTAssertEqual(deep.status, 400, String(deep.body.prefix(300)))
            XCTAssertEqual(deep["code"]?.stringValue, "invalid_template_syntax")

            let loop = try await b.post(
                "templates", gen.pak,
                JSONValue.object([
                    "name": .string("loop"), "template_content": .string("{% for i in range(end=100000000) %}x{% endfor %}"),
                    "parameters_schema": .string("{}"),
                ]).serialized())
            XCTAssertEqual(loop.status, 201, loop.body)
            let rendered = try await b.post(
                "stacks/\(stack)/deployment-objects/from-template", gen.pak,
                #"{"template_id":"\#(loop["id"]?.stringValue ?? "")","parameters":{}}"#)
            XCTAssertEqual(rendered.status, 400, rendered.body)
            XCTAssertEqual(rendered["code"]?.stringValue, "template_render_failed")
            XCTAssertTrue(rendered.body.contains("broker.template_"), "the message names the limit: \(rendered.body)")

            let bomb =
                (["a: &a [x, x, x, x, x, x, x, x, x, x]"]
                + (1...9).map {
                    "\(Character(UnicodeScalar(97 + $0)!)): &\(Character(UnicodeScalar(97 + $0)!)) ["
                        + Array(repeating: "*\(Character(UnicodeScalar(96 + $0)!))", count: 10).joined(separator: ", ") + "]"
                }).joined(separator: "\n")
            let yaml = try await b.post("stacks/\(stack)/deployment-objects", gen.pak, JSONValue.object(["yaml_content": .string(bomb)]).serialized())
            XCTAssertEqual(yaml.status, 400, yaml.body)
            XCTAssertEqual(yaml["code"]?.stringValue, "invalid_deployment_object")
        }
    }
}
