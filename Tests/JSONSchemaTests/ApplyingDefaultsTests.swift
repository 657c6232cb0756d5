import XCTest

@testable import BrokkrCommon
@testable import BrokkrJSONSchema

final class ApplyingDefaultsTests: XCTestCase {
    private func validator(_ schema: String) throws -> JSONSchemaValidator {
        try JSONSchemaValidator(schema: try JSONValue.parse(schema))
    }

    private func json(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

    func testFillsAbsentTopLevelProperties() throws {
        let v = try validator(
            #"""
            {"type": "object", "properties": {
                "name": {"type": "string"},
                "replicas": {"type": "integer", "default": 2},
                "debug": {"type": "boolean", "default": false}}}
            """#)
        XCTAssertEqual(
            v.applyingDefaults(to: try json(##"{"name": "web"}"##)),
            try json(#"{"name": "web", "replicas": 2, "debug": false}"#))
    }

    func testPresentValuesAreNeverOverwritten() throws {
        let v = try validator(
            #"""
            {"properties": {"replicas": {"default": 2}, "labels": {"default": {"a": "b"}}, "note": {"default": "x"}}}
            """#)
        let instance = try json(#"{"replicas": 5, "labels": {}, "note": null}"#)
        XCTAssertEqual(v.applyingDefaults(to: instance), instance)
    }

    func testFillsNestedObjectsRecursively() throws {
        let v = try validator(
            #"""
            {"type": "object", "properties": {
                "resources": {"type": "object", "properties": {
                    "cpu": {"type": "string", "default": "100m"},
                    "memory": {"type": "string", "default": "128Mi"},
                    "limits": {"type": "object", "properties": {"cpu": {"default": "1"}}}}}}}
            """#)
        XCTAssertEqual(
            v.applyingDefaults(to: try json(##"{"resources": {"memory": "1Gi", "limits": {}}}"##)),
            try json(#"{"resources": {"cpu": "100m", "memory": "1Gi", "limits": {"cpu": "1"}}}"#))
        // An absent nested object stays absent without its own default.
        XCTAssertEqual(v.applyingDefaults(to: try json("{}")), try json("{}"))
    }

    func testInsertedObjectDefaultGetsItsNestedDefaults() throws {
        let v = try validator(
            #"""
            {"properties": {"probe": {"type": "object", "default": {},
                "properties": {"path": {"default": "/healthz"}, "port": {"default": 8080}}}}}
            """#)
        XCTAssertEqual(
            v.applyingDefaults(to: try json("{}")),
            try json(#"{"probe": {"path": "/healthz", "port": 8080}}"#))
    }

    func testNonObjectInstancesAreUnchanged() throws {
        let v = try validator(#"{"default": {"a": 1}, "properties": {"a": {"default": 1}}}"#)
        for instance in ["null", "3", "\"text\"", "[{}]", "true"] {
            let value = try json(instance)
            XCTAssertEqual(v.applyingDefaults(to: value), value, instance)
        }
    }

    func testDefaultsInsideArraysAreNotAdded() throws {
        let v = try validator(#"{"properties": {"items": {"type": "array", "items": {"properties": {"a": {"default": 1}}}}}}"#)
        let instance = try json(#"{"items": [{}]}"#)
        XCTAssertEqual(v.applyingDefaults(to: instance), instance)
    }

    func testFollowsRefAndAllOf() throws {
        let v = try validator(
            #"""
            {"$defs": {
                "port": {"type": "integer", "default": 80},
                "base": {"properties": {"image": {"default": "nginx"}}}},
             "allOf": [{"$ref": "#/$defs/base"}],
             "properties": {"port": {"$ref": "#/$defs/port"}}}
            """#)
        XCTAssertEqual(v.applyingDefaults(to: try json("{}")), try json(#"{"image": "nginx", "port": 80}"#))
    }

    func testRecursiveSchemaDoesNotInsertForever() throws {
        let v = try validator(##"{"$defs": {"node": {"properties": {"child": {"$ref": "#/$defs/node", "default": {}}}}}, "$ref": "#/$defs/node"}"##)
        XCTAssertEqual(v.applyingDefaults(to: try json("{}")), try json(#"{"child": {}}"#))
    }

    func testDraft7Defaults() throws {
        let v = try validator(#"{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"a": {"default": [1]}}}"#)
        XCTAssertEqual(v.applyingDefaults(to: try json("{}")), try json(#"{"a": [1]}"#))
    }
}
