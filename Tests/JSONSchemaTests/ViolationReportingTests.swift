import XCTest

@testable import BrokkrCommon
@testable import BrokkrJSONSchema

/// Violations of a typical template parameter schema: every failure is reported, each with its pointer.
final class ViolationReportingTests: XCTestCase {
    private let templateSchema = #"""
        {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 10, "default": 2}
            }
        }
        """#

    private func validator(_ schema: String) throws -> JSONSchemaValidator {
        try JSONSchemaValidator(schema: try JSONValue.parse(schema))
    }

    private func violations(_ instance: String, schema: String? = nil) throws -> [SchemaViolation] {
        try validator(schema ?? templateSchema).validate(try JSONValue.parse(instance))
    }

    func testValidParameters() throws {
        let v = try validator(templateSchema)
        XCTAssertEqual(v.validate(try JSONValue.parse(##"{"name": "web", "replicas": 3}"##)), [])
        XCTAssertTrue(v.isValid(try JSONValue.parse(##"{"name": "web"}"##)))
    }

    func testMissingRequiredProperty() throws {
        XCTAssertEqual(
            try violations("{}"),
            [
                SchemaViolation(
                    instancePath: "", schemaPath: "/required", keyword: "required",
                    message: #"required property "name" is missing"#)
            ])
    }

    func testEveryViolationIsReported() throws {
        let found = try violations(#"{"name": "", "replicas": 20}"#)
        XCTAssertEqual(
            found,
            [
                SchemaViolation(
                    instancePath: "/name", schemaPath: "/properties/name/minLength", keyword: "minLength",
                    message: #""" is 0 characters long, less than the minimum length of 1"#),
                SchemaViolation(
                    instancePath: "/replicas", schemaPath: "/properties/replicas/maximum", keyword: "maximum",
                    message: "20 is greater than the maximum of 10"),
            ])
    }

    func testWrongTypesAndMissingRequiredTogether() throws {
        let found = try violations(#"{"replicas": 2.5}"#)
        XCTAssertEqual(Set(found.map(\.instancePath)), ["", "/replicas"])
        XCTAssertEqual(found.first { $0.keyword == "required" }?.schemaPath, "/required")
        let type = try XCTUnwrap(found.first { $0.keyword == "type" })
        XCTAssertEqual(type.schemaPath, "/properties/replicas/type")
        XCTAssertEqual(type.message, "2.5 is not of type integer")
        XCTAssertEqual(found.count, 2)

        let minimum = try violations(#"{"name": 7, "replicas": 0}"#)
        XCTAssertEqual(minimum.map(\.keyword), ["type", "minimum"])
        XCTAssertEqual(minimum.map(\.instancePath), ["/name", "/replicas"])
        XCTAssertEqual(minimum[1].message, "0 is less than the minimum of 1")
    }

    func testRootTypeViolation() throws {
        XCTAssertEqual(
            try violations("[]"),
            [
                SchemaViolation(instancePath: "", schemaPath: "/type", keyword: "type", message: "[] is not of type object")
            ])
    }

    func testAllRequiredPropertiesAreReported() throws {
        let found = try violations("{}", schema: #"{"required": ["a", "b", "c"]}"#)
        XCTAssertEqual(
            found.map(\.message),
            [
                #"required property "a" is missing"#, #"required property "b" is missing"#, #"required property "c" is missing"#,
            ])
    }

    func testNestedPathsAreEscapedJSONPointers() throws {
        let schema = #"""
            {"properties": {"a/b": {"properties": {"c~d": {"items": {"type": "string"}}}}}}
            """#
        XCTAssertEqual(
            try violations(##"{"a/b": {"c~d": ["x", 1]}}"##, schema: schema),
            [
                SchemaViolation(
                    instancePath: "/a~1b/c~0d/1", schemaPath: "/properties/a~1b/properties/c~0d/items/type",
                    keyword: "type", message: "1 is not of type string")
            ])
    }

    func testAdditionalPropertiesReportsEachOffendingProperty() throws {
        let found = try violations(
            #"{"name": "x", "extra": 1, "other": 2}"#,
            schema: #"{"properties": {"name": {}}, "additionalProperties": false}"#)
        XCTAssertEqual(
            found,
            [
                SchemaViolation(
                    instancePath: "/extra", schemaPath: "/additionalProperties", keyword: "additionalProperties",
                    message: #"additional property "extra" is not allowed"#),
                SchemaViolation(
                    instancePath: "/other", schemaPath: "/additionalProperties", keyword: "additionalProperties",
                    message: #"additional property "other" is not allowed"#),
            ])
    }

    func testRefKeepsEvaluationPath() throws {
        let schema = ##"{"$defs": {"port": {"type": "integer", "maximum": 65535}}, "properties": {"port": {"$ref": "#/$defs/port"}}}"##
        XCTAssertEqual(
            try violations(##"{"port": 70000}"##, schema: schema),
            [
                SchemaViolation(
                    instancePath: "/port", schemaPath: "/properties/port/$ref/maximum", keyword: "maximum",
                    message: "70000 is greater than the maximum of 65535")
            ])
    }

    func testCombinatorsReportOnceAtTheirKeyword() throws {
        let anyOf = try violations(#""x""#, schema: #"{"anyOf": [{"type": "integer"}, {"type": "boolean"}]}"#)
        XCTAssertEqual(anyOf.map(\.keyword), ["anyOf"])
        XCTAssertEqual(anyOf.first?.schemaPath, "/anyOf")

        let oneOf = try violations("5", schema: #"{"oneOf": [{"type": "integer"}, {"minimum": 1}]}"#)
        XCTAssertEqual(oneOf.map(\.keyword), ["oneOf"])
        XCTAssertTrue(oneOf[0].message.contains("indices 0, 1"), oneOf[0].message)

        let then = try violations(
            ##"{"kind": "lb"}"##,
            schema: #"""
                {"if": {"properties": {"kind": {"const": "lb"}}}, "then": {"required": ["port"]}}
                """#)
        XCTAssertEqual(
            then,
            [
                SchemaViolation(
                    instancePath: "", schemaPath: "/then/required", keyword: "required",
                    message: #"required property "port" is missing"#)
            ])
    }

    func testEnumConstAndPatternMessages() throws {
        let schema = #"""
            {"properties": {"tier": {"enum": ["small", "large"]}, "v": {"const": 1}, "id": {"pattern": "^[a-z]+$"}}}
            """#
        let found = try violations(##"{"tier": "medium", "v": 1.0, "id": "Abc"}"##, schema: schema)
        XCTAssertEqual(found.map(\.keyword), ["pattern", "enum"])
        XCTAssertEqual(
            found.map(\.message),
            [
                #""Abc" does not match the pattern "^[a-z]+$""#,
                #""medium" is not one of ["small","large"]"#,
            ])
    }

    func testDescriptionIsReadable() throws {
        let violation = try XCTUnwrap(try violations(##"{"name": "a", "replicas": 11}"##).first)
        XCTAssertEqual(violation.description, "/replicas: 11 is greater than the maximum of 10 (schema: /properties/replicas/maximum)")
    }

    func testValidatorIsReusableAcrossTasks() async throws {
        let v = try validator(templateSchema)
        let results = await withTaskGroup(of: Int.self) { group in
            for replicas in 0..<20 {
                group.addTask { v.validate(.object(["name": .string("x"), "replicas": .int(Int64(replicas))])).count }
            }
            return await group.reduce(0, +)
        }
        XCTAssertEqual(results, 10)  // replicas 0 and 11...19 are out of range
    }
}
