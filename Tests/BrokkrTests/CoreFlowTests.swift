import BrokkrCommon
import BrokkrQueue
import Foundation
import PostgresNIO
import XCTest

/// The core broker flow over real HTTP and a real Postgres (spec/01 "Deploy Your First
/// Application", spec/02 §14 and spec/04 §10 acceptance scenarios).
final class CoreFlowTests: XCTestCase {
    func testRootEndpointsNeedNoKey() async throws {
        try await TestBroker.run { b in
            let health = try await b.get("/healthz", nil)
            XCTAssertEqual(health.status, 200)
            XCTAssertEqual(health.body, "OK")
            do {
                let v = try await b.get("/readyz", nil).body
                XCTAssertEqual(v, "Ready")
            }
            do {
                let v = try await b.get("/api/v1/health", nil)["database"]
                XCTAssertEqual(v, .string("ok"))
            }
            _ = try await b.get("agents", b.adminPAK)
            let metrics = try await b.get("/metrics", nil)
            XCTAssertEqual(metrics.status, 200)
            XCTAssertTrue(metrics.body.contains("brokkr_http_requests_total{endpoint=\"/api/v1/agents\""), metrics.body)
            // The endpoint label is the route template, never a path value.
            _ = try await b.delete("stacks/\(UUID().uuidString)/labels/secret-label-value", b.adminPAK)
            let after = try await b.get("/metrics", nil).body
            XCTAssertFalse(after.contains("secret-label-value"), after)
            XCTAssertTrue(after.contains("endpoint=\"/api/v1/stacks/{id}/labels/{label}\""), after)
            XCTAssertTrue(metrics.body.contains("brokkr_active_agents"))
        }
    }

    func testAuthenticationForms() async throws {
        try await TestBroker.run { b in
            XCTAssertTrue(b.adminPAK.hasPrefix("brokkr_BR"))
            do {
                let v = try await b.get("agents", nil).status
                XCTAssertEqual(v, 401)
            }
            do {
                let v = try await b.get("agents", "brokkr_BRxxxxxx_unknownunknownunknown").status
                XCTAssertEqual(v, 401)
            }
            do {
                let v = try await b.get("agents", "garbage").status
                XCTAssertEqual(v, 401)
            }
            do {
                let v = try await b.get("agents", b.adminPAK).status
                XCTAssertEqual(v, 200)
            }
            let bare = try await b.request(.GET, "agents", pak: nil, headers: [("Authorization", b.adminPAK)])
            XCTAssertEqual(bare.status, 200)
            let me = try await b.post("auth/pak", b.adminPAK)
            XCTAssertEqual(me.json, .object(["admin": .bool(true), "agent": .null, "generator": .null]))
            let agent = try await b.createAgent()
            let gen = try await b.createGenerator()
            do {
                let v = try await b.post("auth/pak", agent.pak).json
                XCTAssertEqual(
                    v,
                    .object(["admin": .bool(false), "agent": .string(agent.id), "generator": .null]))
            }
            do {
                let v = try await b.post("auth/pak", gen.pak).json
                XCTAssertEqual(
                    v,
                    .object(["admin": .bool(false), "agent": .null, "generator": .string(gen.id)]))
            }
        }
    }

    func testConfiguredAdminHashAndNoGeneratedKey() async throws {
        let hash = PAKHash.of(longToken: "secretlong")
        try await TestBroker.run(extraConfig: ["BROKKR__BROKER__PAK_HASH": hash]) { b in
            XCTAssertEqual(b.adminPAK, "")
            do {
                let v = try await b.post("auth/pak", "x_y_secretlong")["admin"]
                XCTAssertEqual(v, .bool(true))
            }
        }
    }

    func testDeployYourFirstApplication() async throws {
        try await TestBroker.run { b in
            // Admin creates a generator and an agent; each key is returned once.
            let gen = try await b.createGenerator("ci-pipeline")
            let agent = try await b.createAgent("prod-agent", cluster: "prod")
            XCTAssertTrue(agent.pak.hasPrefix("brokkr_BR"))

            // The generator creates a stack for itself; labels and annotations.
            let stack = try await b.createStack("frontend", generatorID: gen.id, pak: gen.pak)
            let label = try await b.request(.POST, "stacks/\(stack)/labels", pak: gen.pak, json: #""env=prod""#)
            XCTAssertEqual(label.status, 201, label.body)
            XCTAssertEqual(label["label"], .string("env=prod"))
            do {
                let v = try await b.post("stacks/\(stack)/annotations", gen.pak, #"{"stack_id":"\#(stack)","key":"team","value":"web"}"#).status
                XCTAssertEqual(v, 201)
            }
            do {
                let v = try await b.get("stacks/\(stack)/labels", gen.pak).json.arrayValue?.count
                XCTAssertEqual(v, 1)
            }

            // Objects: checksum, increasing sequence ids.
            let yaml1 = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n"
            let o1 = try await b.createObject(stackID: stack, yaml: yaml1, pak: gen.pak)
            XCTAssertEqual(o1["yaml_checksum"], .string(Checksum.sha256Hex(yaml1)))
            XCTAssertEqual(o1["is_deletion_marker"], .bool(false))
            let o2 = try await b.createObject(stackID: stack, yaml: "a: 2", pak: gen.pak)
            XCTAssertGreaterThan(o2["sequence_id"]?.numberValue ?? 0, o1["sequence_id"]?.numberValue ?? 0)

            // Not targeted yet: empty target state; the agent cannot read the object.
            do {
                let v = try await b.get("agents/\(agent.id)/target-state", agent.pak).json
                XCTAssertEqual(v, .array([]))
            }
            let denied = try await b.get("deployment-objects/\(o2["id"]!.stringValue!)", agent.pak)
            XCTAssertEqual(denied.status, 403)
            XCTAssertEqual(denied.error, "Agent is not associated with this deployment object")

            // Target directly: the latest object is the target state.
            let target = try await b.post("agents/\(agent.id)/targets", b.adminPAK, #"{"agent_id":"\#(agent.id)","stack_id":"\#(stack)"}"#)
            XCTAssertEqual(target.status, 201, target.body)
            var state = try await b.get("agents/\(agent.id)/target-state", agent.pak).json.arrayValue ?? []
            XCTAssertEqual(state.map { $0["id"] }, [o2["id"]])
            do {
                let v = try await b.get("deployment-objects/\(o2["id"]!.stringValue!)", agent.pak).status
                XCTAssertEqual(v, 200)
            }

            // Heartbeat as the agent; the admin is refused.
            do {
                let v = try await b.post("agents/\(agent.id)/heartbeat", agent.pak).status
                XCTAssertEqual(v, 204)
            }
            do {
                let v = try await b.post("agents/\(agent.id)/heartbeat", b.adminPAK).status
                XCTAssertEqual(v, 403)
            }
            do {
                let v = try await b.get("agents/\(agent.id)", agent.pak)["last_heartbeat"]
                XCTAssertNotEqual(v, .null)
            }

            // The agent reports success: incremental target state drops it, full keeps it.
            let event = try await b.post(
                "agents/\(agent.id)/events", agent.pak,
                #"{"agent_id":"\#(agent.id)","deployment_object_id":"\#(o2["id"]!.stringValue!)","event_type":"DEPLOY","status":"SUCCESS","message":null}"#
            )
            XCTAssertEqual(event.status, 201, event.body)
            do {
                let v = try await b.get("agents/\(agent.id)/target-state", agent.pak).json
                XCTAssertEqual(v, .array([]))
            }
            state = try await b.get("agents/\(agent.id)/target-state?mode=full", agent.pak).json.arrayValue ?? []
            XCTAssertEqual(state.count, 1)
            do {
                let v = try await b.get("agents/\(agent.id)/events", agent.pak).json.arrayValue?.count
                XCTAssertEqual(v, 1)
            }
            do {
                let v = try await b.get("agent-events", gen.pak).json.arrayValue?.count
                XCTAssertEqual(v, 1)
            }
            do {
                let v = try await b.get("agent-events/\(event["id"]!.stringValue!)", b.adminPAK)["status"]
                XCTAssertEqual(v, .string("SUCCESS"))
            }

            // A new object (same YAML re-submitted) is new desired state.
            let o3 = try await b.createObject(stackID: stack, yaml: "a: 2", pak: gen.pak)
            XCTAssertEqual(o3["yaml_checksum"], o2["yaml_checksum"])
            do {
                let v = try await b.get("agents/\(agent.id)/target-state", agent.pak).json.arrayValue?.map { $0["id"] }
                XCTAssertEqual(v, [o3["id"]])
            }

            // Associated stacks, then delete the stack: the deletion marker reaches the agent.
            do {
                let v = try await b.get("agents/\(agent.id)/stacks", agent.pak).json.arrayValue?.count
                XCTAssertEqual(v, 1)
            }
            do {
                let v = try await b.delete("stacks/\(stack)", gen.pak).status
                XCTAssertEqual(v, 204)
            }
            state = try await b.get("agents/\(agent.id)/target-state", agent.pak).json.arrayValue ?? []
            XCTAssertEqual(state.count, 1)
            XCTAssertEqual(state.first?["is_deletion_marker"], .bool(true))
            XCTAssertEqual(state.first?["yaml_content"], .string(""))
            do {
                let v = try await b.get("stacks/\(stack)", gen.pak).status
                XCTAssertEqual(v, 404)
            }
            do {
                let v = try await b.get("stacks", b.adminPAK).json.arrayValue?.count
                XCTAssertEqual(v, 0)
            }
            // The name can be reused once the stack is deleted.
            _ = try await b.createStack("frontend", generatorID: gen.id, pak: gen.pak)
        }
    }

    func testLabelAndAnnotationTargeting() async throws {
        try await TestBroker.run { b in
            let gen = try await b.createGenerator()
            let byLabel = try await b.createAgent("a1", cluster: "c1")
            let byAnnotation = try await b.createAgent("a2", cluster: "c2")
            let unrelated = try await b.createAgent("a3", cluster: "c3")
            let stack = try await b.createStack(generatorID: gen.id)
            _ = try await b.request(.POST, "stacks/\(stack)/labels", pak: b.adminPAK, json: #""env:staging""#)
            _ = try await b.post("stacks/\(stack)/annotations", b.adminPAK, #"{"key":"region","value":"eu"}"#)
            let object = try await b.createObject(stackID: stack, yaml: "kind: ConfigMap")
            // The docs' bare-string body and the source's object body both work for agent labels.
            do {
                let v = try await b.request(.POST, "agents/\(byLabel.id)/labels", pak: b.adminPAK, json: #""env:staging""#).status
                XCTAssertEqual(v, 201)
            }
            do {
                let v = try await b.post("agents/\(unrelated.id)/labels", b.adminPAK, #"{"agent_id":"\#(unrelated.id)","label":"env:prod"}"#).status
                XCTAssertEqual(v, 201)
            }
            do {
                let v = try await b.post(
                    "agents/\(byAnnotation.id)/annotations", b.adminPAK, #"{"agent_id":"\#(byAnnotation.id)","key":"region","value":"eu"}"#
                ).status
                XCTAssertEqual(v, 201)
            }
            do {
                let v = try await b.post("agents/\(unrelated.id)/annotations", b.adminPAK, #"{"key":"region","value":"us"}"#).status
                XCTAssertEqual(v, 201)
            }

            for agent in [byLabel, byAnnotation] {
                let state = try await b.get("agents/\(agent.id)/target-state", agent.pak).json.arrayValue ?? []
                XCTAssertEqual(state.map { $0["id"] }, [object["id"]], "agent \(agent.id)")
                do {
                    let v = try await b.get("stacks/\(stack)/labels", agent.pak).status
                    XCTAssertEqual(v, 200)
                }
            }
            do {
                let v = try await b.get("agents/\(unrelated.id)/target-state", unrelated.pak).json
                XCTAssertEqual(v, .array([]))
            }
            do {
                let v = try await b.get("stacks/\(stack)/labels", unrelated.pak).status
                XCTAssertEqual(v, 403)
            }
            do {
                let v = try await b.get("agents/\(byLabel.id)/labels", byLabel.pak).json.arrayValue?.first?["label"]
                XCTAssertEqual(v, .string("env:staging"))
            }

            // Removing the label removes the association.
            do {
                let v = try await b.delete("agents/\(byLabel.id)/labels/env:staging", b.adminPAK).status
                XCTAssertEqual(v, 204)
            }
            do {
                let v = try await b.delete("agents/\(byLabel.id)/labels/env:staging", b.adminPAK).status
                XCTAssertEqual(v, 404)
            }
            do {
                let v = try await b.get("agents/\(byLabel.id)/target-state", byLabel.pak).json
                XCTAssertEqual(v, .array([]))
            }
            do {
                let v = try await b.delete("agents/\(byAnnotation.id)/annotations/region", b.adminPAK).status
                XCTAssertEqual(v, 204)
            }
            do {
                let v = try await b.delete("agents/\(byAnnotation.id)/annotations/region", b.adminPAK).status
                XCTAssertEqual(v, 404)
            }
        }
    }

    func testAgentLifecycleRotationAndRevocation() async throws {
        try await TestBroker.run { b in
            let a = try await b.createAgent("a1", cluster: "c1")
            do {
                let v = try await b.get("agents/?name=a1&cluster_name=c1", b.adminPAK)["id"]
                XCTAssertEqual(v, .string(a.id))
            }
            do {
                let v = try await b.get("agents/?name=a1&cluster_name=c1", a.pak)["id"]
                XCTAssertEqual(v, .string(a.id))
            }
            do {
                let v = try await b.get("agents/?name=a1", b.adminPAK)["code"]?.stringValue
                XCTAssertEqual(v, "name_and_cluster_required")
            }
            do {
                let v = try await b.get("agents/?name=zz&cluster_name=c1", b.adminPAK).status
                XCTAssertEqual(v, 404)
            }
            let other = try await b.createAgent("a2", cluster: "c1")
            do {
                let v = try await b.get("agents/?name=a2&cluster_name=c1", a.pak).status
                XCTAssertEqual(v, 403)
            }
            do {
                let v = try await b.get("agents/\(other.id)", a.pak).status
                XCTAssertEqual(v, 403)
            }
            do {
                let v = try await b.get("agents", a.pak).status
                XCTAssertEqual(v, 403)
            }

            // Duplicate (name, cluster) among live agents is a conflict, not a 500.
            let dup = try await b.post("agents", b.adminPAK, #"{"name":"a1","cluster_name":"c1"}"#)
            XCTAssertEqual(dup.status, 409, dup.body)

            // Update: name/cluster/status.
            let updated = try await b.put("agents/\(a.id)", b.adminPAK, #"{"status":"INACTIVE","ignored":1}"#)
            XCTAssertEqual(updated["status"], .string("INACTIVE"))
            XCTAssertNil(updated.json["pak_hash"])

            // Rotation: the old key stops at once, the new one works.
            let rotated = try await b.post("agents/\(a.id)/rotate-pak", a.pak)
            XCTAssertEqual(rotated.status, 200, rotated.body)
            let newPAK = rotated["pak"]?.stringValue ?? ""
            do {
                let v = try await b.post("auth/pak", a.pak).status
                XCTAssertEqual(v, 401)
            }
            do {
                let v = try await b.post("auth/pak", newPAK)["agent"]
                XCTAssertEqual(v, .string(a.id))
            }

            // An event as the agent, then deletion cascades to events and revokes the key.
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)
            let object = try await b.createObject(stackID: stack, yaml: "k: v")
            do {
                let v = try await b.post(
                    "agents/\(a.id)/events", newPAK,
                    #"{"agent_id":"\#(a.id)","deployment_object_id":"\#(object["id"]!.stringValue!)","event_type":"DEPLOY","status":"FAILURE","message":"boom"}"#
                ).status
                XCTAssertEqual(v, 201)
            }
            do {
                let v = try await b.delete("agents/\(a.id)", b.adminPAK).status
                XCTAssertEqual(v, 204)
            }
            do {
                let v = try await b.delete("agents/\(a.id)", b.adminPAK).status
                XCTAssertEqual(v, 404)
            }
            do {
                let v = try await b.post("auth/pak", newPAK).status
                XCTAssertEqual(v, 401)
            }
            let live = try await b.database.query("SELECT count(*)::int FROM agent_events WHERE deleted_at IS NULL")
            for try await n in live.decode(Int.self) { XCTAssertEqual(n, 0) }

            try await b.flushAudit()
            var actions: [String] = []
            for try await (action, actor) in try await b.database.query("SELECT action, actor_type FROM audit_logs ORDER BY timestamp").decode(
                (String, String).self)
            {
                actions.append("\(action)/\(actor)")
            }
            XCTAssertTrue(actions.contains("agent.created/admin"), "\(actions)")
            XCTAssertTrue(actions.contains("pak.rotated/agent"), "\(actions)")
            XCTAssertTrue(actions.contains("agent.deleted/admin"), "\(actions)")
            XCTAssertTrue(actions.contains("pak.created/admin") && actions.contains("pak.deleted/admin"), "\(actions)")
        }
    }

    func testGeneratorOwnershipAndCascade() async throws {
        try await TestBroker.run { b in
            let g1 = try await b.createGenerator("g1")
            let g2 = try await b.createGenerator("g2")
            do {
                let v = try await b.post("generators", b.adminPAK, #"{"name":"g1"}"#).status
                XCTAssertEqual(v, 409)
            }
            do {
                let v = try await b.post("generators", b.adminPAK, #"{"name":""}"#).status
                XCTAssertEqual(v, 400)
            }
            let s1 = try await b.createStack("s1", generatorID: g1.id, pak: g1.pak)
            let wrong = try await b.post("stacks", g1.pak, #"{"name":"x","generator_id":"\#(g2.id)"}"#)
            XCTAssertEqual(wrong.status, 403)
            XCTAssertEqual(wrong["code"]?.stringValue, "stack_generator_mismatch")
            do {
                let v = try await b.get("stacks", g1.pak).json.arrayValue?.count
                XCTAssertEqual(v, 1, "a generator lists its own stacks")
            }
            do {
                let v = try await b.get("stacks/\(s1)", g2.pak)["code"]?.stringValue
                XCTAssertEqual(v, "stack_not_owned")
            }
            do {
                let v = try await b.get("stacks/\(s1)", g1.pak).status
                XCTAssertEqual(v, 200)
            }
            do {
                let v = try await b.put("stacks/\(s1)", g1.pak, #"{"id":"\#(UUID().uuidString)","name":"s1"}"#)["code"]?.stringValue
                XCTAssertEqual(v, "stack_id_mismatch")
            }
            do {
                let v = try await b.put("stacks/\(s1)", g1.pak, #"{"id":"\#(s1)","name":"s1-renamed","description":"d","generator_id":"\#(g1.id)"}"#)[
                    "name"]
                XCTAssertEqual(v, .string("s1-renamed"))
            }
            do {
                let v = try await b.get("generators/\(g2.id)", g1.pak).status
                XCTAssertEqual(v, 403)
            }
            do {
                let v = try await b.get("generators/\(g1.id)", g1.pak)["name"]
                XCTAssertEqual(v, .string("g1"))
            }
            do {
                let v = try await b.get("generators/\(g1.id)", g1.pak).json["pak_hash"]
                XCTAssertNil(v)
            }
            do {
                let v = try await b.put("generators/\(g1.id)", g1.pak, #"{"name":"g1","description":"new"}"#)["description"]
                XCTAssertEqual(v, .string("new"))
            }
            _ = try await b.createObject(stackID: s1, yaml: "a: 1", pak: g1.pak)

            let rotated = try await b.post("generators/\(g1.id)/rotate-pak", g1.pak)
            XCTAssertEqual(rotated.status, 201)
            let pak = rotated["pak"]?.stringValue ?? ""
            do {
                let v = try await b.post("auth/pak", g1.pak).status
                XCTAssertEqual(v, 401)
            }

            // Soft-deleting the generator cascades to its stacks and objects, with a marker per stack.
            do {
                let v = try await b.delete("generators/\(g1.id)", pak).status
                XCTAssertEqual(v, 204)
            }
            do {
                let v = try await b.post("auth/pak", pak).status
                XCTAssertEqual(v, 401)
            }
            let rows = try await b.database.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT (SELECT count(*) FROM stacks WHERE deleted_at IS NULL AND generator_id = '\(g1.id)')::int,
                               (SELECT count(*) FROM deployment_objects WHERE stack_id = '\(s1)' AND deleted_at IS NULL AND is_deletion_marker)::int,
                               (SELECT count(*) FROM deployment_objects WHERE stack_id = '\(s1)' AND deleted_at IS NULL AND NOT is_deletion_marker)::int
                        """))
            for try await (stacks, markers, live) in rows.decode((Int, Int, Int).self) {
                XCTAssertEqual(stacks, 0)
                XCTAssertEqual(markers, 1)
                XCTAssertEqual(live, 0)
            }
        }
    }

    func testBadInputIsA4xxWithAnErrorBody() async throws {
        try await TestBroker.run { b in
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)
            let cases: [(String, String, String, Int, String)] = [
                ("POST", "agents", "{not json", 400, "invalid_request_body"),
                ("POST", "agents", #"{"name":5,"cluster_name":"c"}"#, 422, "invalid_field"),
                ("POST", "agents", #"{"name":"a"}"#, 422, "invalid_field"),
                ("POST", "agents", #"[1,2]"#, 400, "invalid_request_body"),
                ("POST", "agents", #"{"name":"  ","cluster_name":"c"}"#, 400, "invalid_agent"),
                ("GET", "agents/not-a-uuid", "", 400, "invalid_parameter"),
                ("GET", "agents/\(UUID().uuidString)", "", 404, "agent_not_found"),
                ("GET", "stacks/\(UUID().uuidString)", "", 404, "stack_not_found"),
                ("POST", "stacks", #"{"name":"x","generator_id":"nope"}"#, 422, "invalid_field"),
                ("POST", "stacks", #"{"name":"x","generator_id":"\#(UUID().uuidString)"}"#, 422, "foreign_key_violation"),
                ("POST", "stacks/\(stack)/deployment-objects", #"{}"#, 422, "invalid_field"),
                ("POST", "stacks/\(stack)/deployment-objects", #"{"yaml_content":"   "}"#, 400, "invalid_deployment_object"),
                ("POST", "stacks/\(stack)/deployment-objects", #"{"yaml_content":"a: [1, 2"}"#, 400, "invalid_deployment_object"),
                ("POST", "stacks/\(UUID().uuidString)/deployment-objects", #"{"yaml_content":"a: 1"}"#, 404, "stack_not_found"),
                ("POST", "stacks/\(stack)/labels", #""has space""#, 400, "invalid_label"),
                ("POST", "stacks/\(stack)/labels", "\"\(String(repeating: "x", count: 65))\"", 400, "invalid_label"),
                ("POST", "stacks/\(stack)/annotations", #"{"stack_id":"\#(UUID().uuidString)","key":"k","value":"v"}"#, 400, "stack_id_mismatch"),
                ("POST", "generators", #"{"name":"\#(String(repeating: "n", count: 256))"}"#, 400, "invalid_generator"),
                ("GET", "deployment-objects/\(UUID().uuidString)", "", 404, "deployment_object_not_found"),
                ("GET", "agent-events/\(UUID().uuidString)", "", 404, "agent_event_not_found"),
            ]
            for (method, path, body, expected, code) in cases {
                let r = try await b.request(method == "GET" ? .GET : .POST, path, pak: b.adminPAK, rawBody: body.isEmpty ? nil : body)
                XCTAssertEqual(r.status, expected, "\(method) \(path) \(body): \(r.body)")
                XCTAssertEqual(r["code"]?.stringValue, code, "\(method) \(path) \(body): \(r.body)")
                XCTAssertNotNil(r.error, "\(method) \(path) has no error body: \(r.body)")
            }
            // Agent events: bad status, unknown object.
            let agent = try await b.createAgent()
            let bad = try await b.post(
                "agents/\(agent.id)/events", agent.pak, #"{"deployment_object_id":"\#(UUID().uuidString)","event_type":"DEPLOY","status":"MAYBE"}"#)
            XCTAssertEqual(bad.status, 400)
            let unknown = try await b.post(
                "agents/\(agent.id)/events", agent.pak, #"{"deployment_object_id":"\#(UUID().uuidString)","event_type":"DEPLOY","status":"SUCCESS"}"#)
            XCTAssertEqual(unknown.status, 404)
        }
    }

    func testAgentsActOnlyAsThemselves() async throws {
        try await TestBroker.run { b in
            let a = try await b.createAgent()
            let other = try await b.createAgent()
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)
            let object = try await b.createObject(stackID: stack, yaml: "a: 1")
            let asOther = try await b.post(
                "agents/\(a.id)/events", a.pak,
                #"{"agent_id":"\#(other.id)","deployment_object_id":"\#(object["id"]!.stringValue!)","event_type":"DEPLOY","status":"SUCCESS"}"#)
            XCTAssertEqual(asOther.status, 403)
            do {
                let v = try await b.post("agents/\(a.id)/targets", a.pak, #"{"agent_id":"\#(other.id)","stack_id":"\#(stack)"}"#).status
                XCTAssertEqual(v, 403)
            }
            do {
                let v = try await b.get("agents/\(other.id)/target-state", a.pak).status
                XCTAssertEqual(v, 403)
            }
            do {
                let v = try await b.post(
                    "agents/\(other.id)/events", a.pak,
                    #"{"deployment_object_id":"\#(object["id"]!.stringValue!)","event_type":"DEPLOY","status":"SUCCESS"}"#
                ).status
                XCTAssertEqual(v, 403)
            }
            let count = try await b.database.query("SELECT count(*)::int FROM agent_events")
            for try await n in count.decode(Int.self) { XCTAssertEqual(n, 0, "nothing was written") }
        }
    }

    func testAgentEventFansOutToMatchingWebhookSubscriptionsInTheSameTransaction() async throws {
        try await TestBroker.run { b in
            let agent = try await b.createAgent()
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)
            let object = try await b.createObject(stackID: stack, yaml: "a: 1")
            for (name, patterns) in [("all", "{*}"), ("deploy", "{deployment.*}"), ("exact", "{deployment.failed}"), ("none", "{workorder.*}")] {
                try await b.database.query(
                    PostgresQuery(
                        unsafeSQL: "INSERT INTO webhook_subscriptions (name, url_encrypted, event_types) VALUES ('\(name)', '\\x01', '\(patterns)')"))
            }
            _ = try await b.post(
                "agents/\(agent.id)/events", agent.pak,
                #"{"deployment_object_id":"\#(object["id"]!.stringValue!)","event_type":"DEPLOY","status":"success"}"#)
            var deliveries: [String: String] = [:]
            let rows = try await b.database.query(
                """
                SELECT s.name, d.payload FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
                WHERE d.event_type = 'deployment.applied'
                """)
            for try await (name, payload) in rows.decode((String, String).self) { deliveries[name] = payload }
            XCTAssertEqual(Set(deliveries.keys), ["all", "deploy"])
            let payload = try JSONValue.parse(deliveries["deploy"]!)
            XCTAssertEqual(payload["event_type"], .string("deployment.applied"))
            for key in ["agent_event_id", "agent_id", "deployment_object_id", "event_type", "status", "message", "created_at"] {
                XCTAssertNotNil(payload["data"]?[key], key)
            }
        }
    }
}
