import BrokkrCommon
import BrokkrTemplating
import Foundation
import PostgresNIO
import XCTest

/// Templates over HTTP (spec/01 §8 and tutorial T4, spec/03 §3.6/§7, spec/04 §10 scenarios 15–16).
final class TemplateTests: XCTestCase {
    static let webServiceTemplate = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {{ namespace }}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ service_name }}
          namespace: {{ namespace }}
          labels:
            app: {{ service_name }}
            managed-by: brokkr
        spec:
          replicas: {{ replicas }}
          selector:
            matchLabels:
              app: {{ service_name }}
          template:
            metadata:
              labels:
                app: {{ service_name }}
            spec:
              containers:
              - name: {{ service_name }}
                image: {{ image_repository }}:{{ image_tag }}
                ports:
                - containerPort: {{ container_port }}
                resources:
                  requests:
                    cpu: {{ cpu_request }}
                    memory: {{ memory_request }}
                  limits:
                    cpu: {{ cpu_limit }}
                    memory: {{ memory_limit }}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: {{ service_name }}
          namespace: {{ namespace }}
        spec:
          selector:
            app: {{ service_name }}
          ports:
          - port: 80
            targetPort: {{ container_port }}
        """

    static let webServiceSchema = """
        {"type": "object", "required": ["service_name", "namespace", "image_repository", "image_tag"], "properties": {
         "service_name": {"type": "string", "minLength": 1, "maxLength": 63}, "namespace": {"type": "string", "minLength": 1},
         "image_repository": {"type": "string"}, "image_tag": {"type": "string", "default": "latest"},
         "replicas": {"type": "integer", "default": 2, "minimum": 1, "maximum": 20},
         "container_port": {"type": "integer", "default": 8080}, "cpu_request": {"type": "string", "default": "100m"},
         "memory_request": {"type": "string", "default": "128Mi"}, "cpu_limit": {"type": "string", "default": "500m"},
         "memory_limit": {"type": "string", "default": "256Mi"}}}
        """

    static func createBody(_ name: String, _ content: String, _ schema: String) -> String {
        JSONValue.object([
            "name": .string(name), "description": .string("d"), "template_content": .string(content),
            "parameters_schema": .string(schema),
        ]).serialized()
    }

    func testStandardizedDeploymentsTutorial() async throws {
        try await TestBroker.run { b in
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id, pak: gen.pak)
            let created = try await b.post("templates", gen.pak, Self.createBody("web-service", Self.webServiceTemplate, Self.webServiceSchema))
            XCTAssertEqual(created.status, 201, created.body)
            XCTAssertEqual(created["version"], .int(1))
            XCTAssertEqual(created["generator_id"], .string(gen.id))
            XCTAssertEqual(created["checksum"], .string(Checksum.sha256Hex(Self.webServiceTemplate)))
            let templateID = created["id"]!.stringValue!

            let params =
                #"{"service_name":"frontend","namespace":"frontend-app","image_repository":"myregistry.example.com/frontend","image_tag":"v2.1.0","replicas":3,"container_port":3000,"memory_limit":"512Mi"}"#
            let object = try await b.post(
                "stacks/\(stack)/deployment-objects/from-template", gen.pak,
                #"{"template_id":"\#(templateID)","parameters":\#(params)}"#)
            XCTAssertEqual(object.status, 201, object.body)
            let yaml = object["yaml_content"]?.stringValue ?? ""
            for expected in [
                "name: frontend-app", "replicas: 3", "image: myregistry.example.com/frontend:v2.1.0", "- containerPort: 3000",
                "cpu: 100m", "memory: 128Mi", "cpu: 500m", "memory: 512Mi", "targetPort: 3000", "managed-by: brokkr",
            ] {
                XCTAssertTrue(yaml.contains(expected), "missing \(expected) in\n\(yaml)")
            }
            XCTAssertNil(YAMLDocuments.problem(in: yaml))
            // Provenance: template id, version and parameters are recorded.
            let provenance = try await b.database.query(
                PostgresQuery(
                    unsafeSQL:
                        "SELECT template_version, template_parameters FROM rendered_deployment_objects WHERE deployment_object_id = '\(object["id"]!.stringValue!)'"
                ))
            var rows = 0
            for try await (version, parameters) in provenance.decode((Int, String).self) {
                rows += 1
                XCTAssertEqual(version, 1)
                XCTAssertEqual(try JSONValue.parse(parameters)["replicas"], .int(3))
            }
            XCTAssertEqual(rows, 1)

            // Invalid parameters: every violation with its pointer.
            let invalid = try await b.post(
                "stacks/\(stack)/deployment-objects/from-template", gen.pak,
                #"{"template_id":"\#(templateID)","parameters":{"namespace":"x","image_repository":"r","image_tag":"t","replicas":100}}"#)
            XCTAssertEqual(invalid.status, 400, invalid.body)
            XCTAssertEqual(invalid["code"]?.stringValue, "invalid_parameters")
            let errors = invalid["details"]?["validation_errors"]?.arrayValue?.compactMap(\.stringValue) ?? []
            XCTAssertEqual(errors.count, 2, "\(errors)")
            XCTAssertTrue(errors.contains { $0.hasPrefix("/replicas: ") }, "\(errors)")
            XCTAssertTrue(errors.contains { $0.contains("service_name") }, "\(errors)")

            // Versions: PUT creates a new row; the old one stays readable; labels carry over.
            do {
                let v = try await b.request(.POST, "templates/\(templateID)/labels", pak: gen.pak, json: #""env=prod""#).status
                XCTAssertEqual(v, 201)
            }
            let v2 = try await b.put(
                "templates/\(templateID)", gen.pak,
                JSONValue.object([
                    "template_content": .string("kind: ConfigMap\nname: {{ service_name }}"),
                    "parameters_schema": .string(Self.webServiceSchema),
                ]).serialized())
            XCTAssertEqual(v2.status, 200, v2.body)
            XCTAssertEqual(v2["version"], .int(2))
            XCTAssertNotEqual(v2["id"], created["id"])
            XCTAssertEqual(v2["description"], .string("d"))
            do {
                let v = try await b.get("templates/\(templateID)", gen.pak)["version"]
                XCTAssertEqual(v, .int(1))
            }
            do {
                let v = try await b.get("templates/\(v2["id"]!.stringValue!)/labels", gen.pak).json.arrayValue?.count
                XCTAssertEqual(v, 1)
            }
        }
    }

    func testLabelMatchingAndAccess() async throws {
        try await TestBroker.run { b in
            let gen = try await b.createGenerator()
            let other = try await b.createGenerator()
            let agent = try await b.createAgent()
            let stack = try await b.createStack(generatorID: gen.id, pak: gen.pak)
            let t = try await b.post("templates", gen.pak, Self.createBody("t", "name: {{ app }}", #"{"type":"object","required":["app"]}"#))
            let id = t["id"]!.stringValue!
            for label in ["env=prod", "tier=1"] {
                do {
                    let v = try await b.request(.POST, "templates/\(id)/labels", pak: gen.pak, json: "\"\(label)\"").status
                    XCTAssertEqual(v, 201)
                }
            }
            do {
                let v = try await b.post("templates/\(id)/annotations", gen.pak, #"{"key":"team","value":"web"}"#).status
                XCTAssertEqual(v, 201)
            }
            _ = try await b.request(.POST, "stacks/\(stack)/labels", pak: gen.pak, json: #""env=prod""#)
            let mismatch = try await b.post(
                "stacks/\(stack)/deployment-objects/from-template", gen.pak, #"{"template_id":"\#(id)","parameters":{"app":"x"}}"#)
            XCTAssertEqual(mismatch.status, 422)
            XCTAssertEqual(mismatch.error, "Template labels do not match stack")
            XCTAssertEqual(mismatch["code"]?.stringValue, "template_stack_mismatch")
            XCTAssertEqual(mismatch["details"]?["missing_labels"], .array([.string("tier=1")]))
            XCTAssertEqual(mismatch["details"]?["missing_annotations"], .array([.array([.string("team"), .string("web")])]))
            _ = try await b.request(.POST, "stacks/\(stack)/labels", pak: gen.pak, json: #""tier=1""#)
            _ = try await b.post("stacks/\(stack)/annotations", gen.pak, #"{"key":"team","value":"web"}"#)
            let missing = try await b.post("stacks/\(stack)/deployment-objects/from-template", gen.pak, #"{"template_id":"\#(id)","parameters":{}}"#)
            XCTAssertEqual(missing.status, 400, missing.body)
            let ok = try await b.post(
                "stacks/\(stack)/deployment-objects/from-template", gen.pak, #"{"template_id":"\#(id)","parameters":{"app":"x"}}"#)
            XCTAssertEqual(ok.status, 201, ok.body)
            XCTAssertEqual(ok["yaml_content"], .string("name: x"))

            // Access: agents never; other generators cannot see or use it; system templates are read-only for generators.
            do {
                let v = try await b.get("templates", agent.pak)["code"]?.stringValue
                XCTAssertEqual(v, "templates_not_accessible")
            }
            do {
                let v = try await b.get("templates/\(id)", other.pak).status
                XCTAssertEqual(v, 403)
            }
            do {
                let v = try await b.delete("templates/\(id)", other.pak).status
                XCTAssertEqual(v, 403)
            }
            let system = try await b.post("templates", b.adminPAK, Self.createBody("sys", "a: {{ b | default(value=1) }}", "{}"))
            XCTAssertEqual(system["generator_id"], .null)
            let sysID = system["id"]!.stringValue!
            do {
                let v = try await b.get("templates/\(sysID)", other.pak).status
                XCTAssertEqual(v, 200)
            }
            do {
                let v = try await b.delete("templates/\(sysID)", other.pak)["code"]?.stringValue
                XCTAssertEqual(v, "template_not_owned")
            }
            let visible = try await b.get("templates", other.pak).json.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            XCTAssertEqual(Set(visible), [sysID])
            do {
                let v = try await b.get("templates", b.adminPAK).json.arrayValue?.count
                XCTAssertEqual(v, 2)
            }
            let anywhere = try await b.post(
                "stacks/\(stack)/deployment-objects/from-template", gen.pak, #"{"template_id":"\#(sysID)","parameters":{}}"#)
            XCTAssertEqual(anywhere.status, 201, anywhere.body)
            XCTAssertEqual(anywhere["yaml_content"], .string("a: 1"))
            do {
                let v = try await b.delete("templates/\(id)", gen.pak).status
                XCTAssertEqual(v, 204)
            }
            do {
                let v = try await b.get("templates/\(id)", gen.pak).status
                XCTAssertEqual(v, 404)
            }
        }
    }

    func testCreationErrors() async throws {
        try await TestBroker.run { b in
            let badSyntax = try await b.post("templates", b.adminPAK, Self.createBody("t", "line one\n{% if x %}\nno end", "{}"))
            XCTAssertEqual(badSyntax.status, 400)
            XCTAssertTrue(badSyntax.error?.hasPrefix("Invalid Tera syntax") ?? false, badSyntax.body)
            XCTAssertTrue(badSyntax.error?.contains("line") ?? false, badSyntax.body)
            let badJSON = try await b.post("templates", b.adminPAK, Self.createBody("t", "a: 1", "{not json"))
            XCTAssertEqual(badJSON.status, 400)
            let badSchema = try await b.post("templates", b.adminPAK, Self.createBody("t", "a: 1", #"{"type": 5}"#))
            XCTAssertEqual(badSchema.status, 400)
            XCTAssertTrue(badSchema.error?.hasPrefix("Invalid JSON Schema") ?? false, badSchema.body)
            let gen = try await b.createGenerator()
            let stack = try await b.createStack(generatorID: gen.id)
            let t = try await b.post("templates", b.adminPAK, Self.createBody("u", "a: {{ missing }}", "{}"))
            let render = try await b.post(
                "stacks/\(stack)/deployment-objects/from-template", b.adminPAK, #"{"template_id":"\#(t["id"]!.stringValue!)","parameters":{}}"#)
            XCTAssertEqual(render.status, 400)
            XCTAssertTrue(render.error?.hasPrefix("Template rendering failed") ?? false, render.body)
            do {
                let v = try await b.post(
                    "stacks/\(stack)/deployment-objects/from-template", b.adminPAK,
                    #"{"template_id":"\#(UUID().uuidString)","parameters":{}}"#
                ).status
                XCTAssertEqual(v, 404)
            }
            do {
                let v = try await b.post("templates", b.adminPAK, Self.createBody("u", "b: 2", "{}"))["version"]
                XCTAssertEqual(v, .int(2))
            }
        }
    }

    func testMatchingRules() {
        XCTAssertTrue(TemplateMatch(templateLabels: [], templateAnnotations: [], stackLabels: ["x"], stackAnnotations: []).matches)
        XCTAssertTrue(
            TemplateMatch(
                templateLabels: ["env:production", "tier:frontend"], templateAnnotations: [],
                stackLabels: ["env:production", "tier:frontend", "region:us"], stackAnnotations: []
            ).matches)
        XCTAssertEqual(
            TemplateMatch(
                templateLabels: ["env:production", "tier:frontend"], templateAnnotations: [],
                stackLabels: ["env:production"], stackAnnotations: []
            ).missingLabels, ["tier:frontend"])
        XCTAssertFalse(TemplateMatch(templateLabels: [], templateAnnotations: [("k", "v")], stackLabels: [], stackAnnotations: [("k", "w")]).matches)
    }
}
