import BrokkrCommon
import Foundation
import NIOHTTP1
import XCTest

/// Walks every /api/v1 route the router registered, as every role, over HTTP, and checks the
/// expected allow/deny. A route without an expectation here fails the test, so new routes must
/// declare who may call them.
final class AuthorizationMatrixTests: XCTestCase {
    enum Role: String, CaseIterable { case admin, agentSelf, agentOther, generatorOwner, generatorOther }

    static let all = Set(Role.allCases)
    static let admin: Set<Role> = [.admin]
    static let adminAgent: Set<Role> = [.admin, .agentSelf]
    static let adminOwner: Set<Role> = [.admin, .generatorOwner]
    static let adminGenerators: Set<Role> = [.admin, .generatorOwner, .generatorOther]

    /// "METHOD path" → roles that pass (anything but 401/403); every other role must get 403.
    static let expected: [String: Set<Role>] = [
        "GET agents": admin, "POST agents": admin,
        "GET agents/:id": adminAgent, "PUT agents/:id": adminAgent, "DELETE agents/:id": admin,
        "POST agents/:id/rotate-pak": adminAgent, "POST agents/:id/heartbeat": [.agentSelf],
        "GET agents/:id/target-state": adminAgent, "GET agents/:id/stacks": adminAgent,
        "GET agents/:id/events": adminAgent, "POST agents/:id/events": adminAgent,
        "GET agents/:id/labels": adminAgent, "POST agents/:id/labels": admin, "DELETE agents/:id/labels/:label": admin,
        "GET agents/:id/annotations": adminAgent, "POST agents/:id/annotations": admin, "DELETE agents/:id/annotations/:key": admin,
        "GET agents/:id/targets": adminAgent, "POST agents/:id/targets": adminOwner, "DELETE agents/:id/targets/:stack_id": adminOwner,
        "GET agent-events": all, "GET agent-events/:id": all,
        "GET generators": admin, "POST generators": admin,
        "GET generators/:id": adminOwner, "PUT generators/:id": adminOwner, "DELETE generators/:id": adminOwner,
        "POST generators/:id/rotate-pak": adminOwner,
        "GET stacks": adminGenerators, "POST stacks": adminOwner,
        "GET stacks/:id": adminOwner, "PUT stacks/:id": adminOwner, "DELETE stacks/:id": adminOwner,
        "GET stacks/:id/labels": [.admin, .generatorOwner, .agentSelf], "POST stacks/:id/labels": adminOwner,
        "DELETE stacks/:id/labels/:label": adminOwner,
        "GET stacks/:id/annotations": [.admin, .generatorOwner, .agentSelf], "POST stacks/:id/annotations": adminOwner,
        "DELETE stacks/:id/annotations/:key": adminOwner,
        "GET stacks/:id/deployment-objects": adminOwner, "POST stacks/:id/deployment-objects": adminOwner,
        "GET deployment-objects/:id": [.admin, .generatorOwner, .agentSelf],
        "POST auth/pak": all,
        "GET admin/audit-logs": admin, "POST admin/config/reload": admin,
        "POST deployment-objects/:id/diagnostics": admin, "GET agents/:id/diagnostics/pending": adminAgent,
        "PATCH agents/:id/health-status": adminAgent, "GET deployment-objects/:id/health": admin, "GET stacks/:id/health": admin,
        "GET diagnostics/:id": adminAgent, "POST diagnostics/:id/claim": adminAgent, "POST diagnostics/:id/result": [.agentSelf],
        "GET templates": adminGenerators, "POST templates": adminGenerators,
        "GET templates/:id": adminOwner, "PUT templates/:id": adminOwner, "DELETE templates/:id": adminOwner,
        "GET templates/:id/labels": adminOwner, "POST templates/:id/labels": adminOwner, "DELETE templates/:id/labels/:label": adminOwner,
        "GET templates/:id/annotations": adminOwner, "POST templates/:id/annotations": adminOwner,
        "DELETE templates/:id/annotations/:key": adminOwner,
        "POST stacks/:id/deployment-objects/from-template": adminOwner,
        "GET work-orders": admin, "POST work-orders": admin, "GET work-orders/:id": admin, "DELETE work-orders/:id": admin,
        "POST work-orders/:id/claim": adminAgent, "POST work-orders/:id/complete": adminAgent,
        "GET work-order-log": admin, "GET work-order-log/:id": admin, "GET agents/:id/work-orders/pending": adminAgent,
        "GET webhooks": admin, "POST webhooks": admin, "GET webhooks/event-types": admin,
        "GET webhooks/:id": admin, "PUT webhooks/:id": admin, "DELETE webhooks/:id": admin,
        "GET webhooks/:id/deliveries": admin, "POST webhooks/:id/test": admin,
        "GET agents/:id/webhooks/pending": adminAgent, "POST webhook-deliveries/:id/result": [.agentSelf],
    ]

    /// GET routes that change state (they claim what they return).
    static let claimingReads: Set<String> = ["agents/:id/webhooks/pending"]

    struct Fixture {
        var paks: [Role: String] = [:]
        var agentSelf = "", generatorOwner = "", stack = "", object = "", event = "", template = ""
        var workOrder = "", webhook = "", delivery = "", diagnostic = ""
    }

    /// Fresh principals and resources per call, so a DELETE or a rotation cannot affect the next case.
    static func fixture(_ b: TestBroker) async throws -> Fixture {
        var f = Fixture()
        f.paks[.admin] = b.adminPAK
        let me = try await b.createAgent()
        let other = try await b.createAgent()
        let owner = try await b.createGenerator()
        let stranger = try await b.createGenerator()
        f.paks[.agentSelf] = me.pak
        f.paks[.agentOther] = other.pak
        f.paks[.generatorOwner] = owner.pak
        f.paks[.generatorOther] = stranger.pak
        f.agentSelf = me.id
        f.generatorOwner = owner.id
        f.stack = try await b.createStack(generatorID: owner.id)
        f.object = try await b.createObject(stackID: f.stack, yaml: "a: 1")["id"]?.stringValue ?? ""
        _ = try await b.post("agents/\(me.id)/targets", b.adminPAK, #"{"stack_id":"\#(f.stack)"}"#)
        _ = try await b.request(.POST, "agents/\(me.id)/labels", pak: b.adminPAK, json: #""l""#)
        f.template =
            try await b.post("templates", owner.pak, #"{"name":"t","template_content":"a: {{ x | default(value=1) }}","parameters_schema":"{}"}"#)[
                "id"]?.stringValue ?? ""
        f.event =
            try await b.post(
                "agents/\(me.id)/events", me.pak,
                #"{"deployment_object_id":"\#(f.object)","event_type":"DEPLOY","status":"SUCCESS"}"#)["id"]?.stringValue ?? ""
        // A work order claimed by agentSelf, and an agent-delivered webhook delivery it acquired.
        f.workOrder =
            try await b.post(
                "work-orders", b.adminPAK,
                #"{"work_type":"build","yaml_content":"a: 1","target_agent_ids":["\#(me.id)"]}"#)["id"]?.stringValue ?? ""
        _ = try await b.post("work-orders/\(f.workOrder)/claim", me.pak, #"{"agent_id":"\#(me.id)"}"#)
        f.webhook =
            try await b.post(
                "webhooks", b.adminPAK,
                #"{"name":"w","url":"http://127.0.0.1:9/x","event_types":["none"],"target_labels":["l"]}"#)["id"]?.stringValue ?? ""
        _ = try await b.post("webhooks/\(f.webhook)/test", b.adminPAK)
        f.delivery = try await b.get("agents/\(me.id)/webhooks/pending", me.pak).json.arrayValue?.first?["id"]?.stringValue ?? ""
        f.diagnostic =
            try await b.post("deployment-objects/\(f.object)/diagnostics", b.adminPAK, #"{"agent_id":"\#(me.id)"}"#)["id"]?.stringValue ?? ""
        return f
    }

    static func concretePath(_ path: String, _ f: Fixture) -> String {
        let owner: String
        if path.hasPrefix("agents/") {
            owner = f.agentSelf
        } else if path.hasPrefix("generators/") {
            owner = f.generatorOwner
        } else if path.hasPrefix("stacks/") {
            owner = f.stack
        } else if path.hasPrefix("deployment-objects/") {
            owner = f.object
        } else if path.hasPrefix("templates/") {
            owner = f.template
        } else if path.hasPrefix("work-order") {
            owner = f.workOrder
        } else if path.hasPrefix("webhooks/") {
            owner = f.webhook
        } else if path.hasPrefix("webhook-deliveries/") {
            owner = f.delivery
        } else if path.hasPrefix("diagnostics/") {
            owner = f.diagnostic
        } else {
            owner = f.event
        }
        return path.replacingOccurrences(of: ":stack_id", with: f.stack).replacingOccurrences(of: ":id", with: owner)
            .replacingOccurrences(of: ":label", with: "l").replacingOccurrences(of: ":key", with: "k")
    }

    func testEveryRouteAsEveryRole() async throws {
        try await TestBroker.run { b in
            let routes = b.routeTable.routes
            XCTAssertGreaterThan(routes.count, 30)
            let undeclared = routes.filter { Self.expected["\($0.method) \($0.path)"] == nil }
            XCTAssertTrue(undeclared.isEmpty, "routes without a declared policy expectation: \(undeclared)")
            // Reads and refused calls share one fixture (a refusal changes nothing; if it did, its own
            // assertion fails); every allowed change gets fresh principals and resources, so a DELETE
            // or a rotation cannot affect the next case.
            let shared = try await Self.fixture(b)
            for route in routes {
                guard let allowed = Self.expected["\(route.method) \(route.path)"] else { continue }
                let readOnly = route.method == "GET" && !Self.claimingReads.contains(route.path)
                for role in Role.allCases {
                    let f = readOnly || !allowed.contains(role) ? shared : try await Self.fixture(b)
                    let body = JSONValue.object([
                        "name": .string("n-\(UUID().uuidString.prefix(8))"), "cluster_name": .string("c"), "description": .string("d"),
                        "generator_id": .string(f.generatorOwner), "stack_id": .string(f.stack), "agent_id": .string(f.agentSelf),
                        "key": .string("k"), "value": .string("v"), "label": .string("l"), "yaml_content": .string("a: 1"),
                        "deployment_object_id": .string(f.object), "event_type": .string("DEPLOY"), "status": .string("SUCCESS"),
                        "template_id": .string(f.template), "parameters": .object([:]),
                        "template_content": .string("a: 1"), "parameters_schema": .string("{}"),
                        "pod_statuses": .string("[]"), "events": .string("[]"), "collected_at": .string(RFC3339.string(from: Date())),
                    ]).serialized()
                    let path = Self.concretePath(route.path, f)
                    let r = try await b.request(
                        HTTPMethod(rawValue: route.method), path, pak: f.paks[role],
                        json: route.method == "GET" || route.method == "DELETE" ? nil : body)
                    // A server error is a failure whatever the role: it is neither an answer nor a refusal.
                    XCTAssertLessThan(r.status, 500, "\(route.method) \(path) as \(role) failed: \(r.status) \(r.body)")
                    if allowed.contains(role) {
                        XCTAssertFalse([401, 403].contains(r.status), "\(route.method) \(path) as \(role) should be allowed: \(r.status) \(r.body)")
                    } else {
                        XCTAssertEqual(r.status, 403, "\(route.method) \(route.path) as \(role) should be refused: \(r.body)")
                        XCTAssertNotNil(r.json["code"]?.stringValue, "a refusal carries a typed code: \(r.body)")
                    }
                }
            }
        }
    }
}
