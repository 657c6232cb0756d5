import XCTest

@testable import BrokkrCommon
@testable import BrokkrJSONSchema

final class SchemaCompilationTests: XCTestCase {
    private func compile(_ schema: String, remotes: [String: JSONValue] = [:]) throws -> JSONSchemaValidator {
        try JSONSchemaValidator(schema: try JSONValue.parse(schema), remotes: remotes)
    }

    private func assertRejected(
        _ schema: String, mentioning fragment: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try compile(schema), file: file, line: line) { error in
            guard let error = error as? SchemaCompilationError else {
                return XCTFail("unexpected error \(error)", file: file, line: line)
            }
            XCTAssertTrue(error.message.contains(fragment), "\(error.message) should mention \(fragment)", file: file, line: line)
        }
    }

    func testRejectsMalformedSchemas() {
        assertRejected("5", mentioning: "object or a boolean")
        assertRejected(#""string""#, mentioning: "object or a boolean")
        assertRejected(##"{"type": 5}"##, mentioning: "\"type\"")
        assertRejected(##"{"type": "strnig"}"##, mentioning: "strnig")
        assertRejected(##"{"required": "x"}"##, mentioning: "\"required\"")
        assertRejected(##"{"minLength": -1}"##, mentioning: "\"minLength\"")
        assertRejected(##"{"maximum": "10"}"##, mentioning: "\"maximum\"")
        assertRejected(##"{"multipleOf": 0}"##, mentioning: "\"multipleOf\"")
        assertRejected(##"{"pattern": "(unclosed"}"##, mentioning: "regular expression")
        assertRejected(##"{"patternProperties": {"[": {}}}"##, mentioning: "regular expression")
        assertRejected(##"{"properties": {"a": 3}}"##, mentioning: "/properties/a")
        assertRejected(##"{"allOf": []}"##, mentioning: "\"allOf\"")
        assertRejected(##"{"$ref": "#/$defs/missing"}"##, mentioning: "missing")
        assertRejected(##"{"$ref": "#nope"}"##, mentioning: "nope")
        assertRejected(##"{"$ref": "http://example.com/other.json"}"##, mentioning: "http://example.com/other.json")
        assertRejected(##"{"$schema": "http://example.com/unknown-metaschema"}"##, mentioning: "$schema")
        assertRejected(##"{"$defs": {"unused": {"type": 1}}}"##, mentioning: "\"type\"")
    }

    func testBooleanSchemas() throws {
        XCTAssertTrue(try compile("true").isValid(.int(1)))
        XCTAssertFalse(try compile("false").isValid(.null))
        XCTAssertEqual(try compile("false").validate(.null).map(\.keyword), ["false"])
    }

    func testDialectSelection() throws {
        // Draft 7 ignores `$ref` siblings; 2020-12 applies them.
        let draft7 = try compile(
            ##"{"$schema": "http://json-schema.org/draft-07/schema#", "$defs": {}, "definitions": {"a": {}}, "$ref": "#/definitions/a", "type": "string"}"##
        )
        XCTAssertTrue(draft7.isValid(.int(1)))
        let draft2020 = try compile(##"{"$defs": {"a": {}}, "$ref": "#/$defs/a", "type": "string"}"##)
        XCTAssertFalse(draft2020.isValid(.int(1)))
        // Without `$schema` the caller may choose the dialect.
        let chosen = try JSONSchemaValidator(schema: try JSONValue.parse(##"{"items": [{"type": "string"}]}"##), defaultDialect: .draft7)
        XCTAssertFalse(chosen.isValid(try JSONValue.parse("[1]")))
    }

    func testRemotesResolveWithoutNetwork() throws {
        let remotes = ["https://brokkr.example/schemas/common.json": try JSONValue.parse(#"{"$defs": {"name": {"type": "string", "maxLength": 3}}}"#)]
        let v = try compile(
            #"{"$id": "https://brokkr.example/schemas/app.json", "properties": {"name": {"$ref": "common.json#/$defs/name"}}}"#,
            remotes: remotes)
        XCTAssertTrue(v.isValid(try JSONValue.parse(##"{"name": "abc"}"##)))
        XCTAssertEqual(v.validate(try JSONValue.parse(##"{"name": "abcd"}"##)).map(\.schemaPath), ["/properties/name/$ref/maxLength"])
    }

    func testMetaschemaValidation() throws {
        let v = try compile(#"{"$ref": "https://json-schema.org/draft/2020-12/schema"}"#)
        XCTAssertTrue(v.isValid(try JSONValue.parse(##"{"type": "object", "properties": {"a": {"minimum": 1}}}"##)))
        XCTAssertFalse(v.isValid(try JSONValue.parse(##"{"properties": {"a": {"type": 5}}}"##)))
    }

    func testRefCycleWithoutProgressIsReportedNotCrashed() throws {
        let v = try compile(##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##)
        XCTAssertFalse(v.isValid(.int(1)))
        XCTAssertEqual(v.validate(.int(1)).count, 1)
    }

    func testNumbersAndStrings() throws {
        let v = try compile(#"{"multipleOf": 0.01}"#)
        XCTAssertTrue(v.isValid(.double(19.99)))
        XCTAssertFalse(v.isValid(.double(19.999)))
        XCTAssertTrue(try compile(##"{"type": "integer"}"##).isValid(.double(3.0)))
        // Code points, not UTF-16 units or grapheme clusters.
        XCTAssertTrue(try compile(##"{"maxLength": 1}"##).isValid(.string("💩")))
        XCTAssertFalse(try compile(##"{"maxLength": 1}"##).isValid(.string("e\u{301}")))
        XCTAssertTrue(try compile(##"{"uniqueItems": true}"##).isValid(.array([.string("é"), .string("e\u{301}")])))
        XCTAssertFalse(try compile(##"{"uniqueItems": true}"##).isValid(.array([.int(1), .double(1.0)])))
    }

    func testECMARegexSemantics() throws {
        let digits = try compile(#"{"pattern": "^\\d+$"}"#)
        XCTAssertTrue(digits.isValid(.string("123")))
        XCTAssertFalse(digits.isValid(.string("١٢٣")), "\\d is ASCII-only in ECMA-262")
        XCTAssertFalse(digits.isValid(.string("123\n")), "$ does not match before a trailing newline")
        XCTAssertTrue(try compile(##"{"pattern": "^\\p{Letter}+$"}"##).isValid(.string("héllo")))
        XCTAssertTrue(try compile(##"{"pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"}"##).isValid(.string("my-app-1")))
        XCTAssertTrue(try compile(##"{"pattern": "a{"}"##).isValid(.string("a{")))
        XCTAssertTrue(try compile(##"{"pattern": "^[[:]+$"}"##).isValid(.string("[:")))
    }
}
