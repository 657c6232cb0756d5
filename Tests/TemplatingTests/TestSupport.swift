import XCTest

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

/// Parses a JSON literal used as a rendering context in tests.
func json(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
    do {
        return try JSONValue.parse(text)
    } catch {
        XCTFail("bad test JSON: \(error)", file: file, line: line)
        return .null
    }
}

func render(_ source: String, _ context: JSONValue = .object([:])) throws -> String {
    try TeraTemplate(source: source).render(context)
}

/// Asserts `source` renders to exactly `expected` with an empty context.
func assertRenders(_ source: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
    assertRenders(source, .object([:]), expected, file: file, line: line)
}

/// Asserts `source` renders to exactly `expected`.
func assertRenders(
    _ source: String, _ context: JSONValue, _ expected: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let output = try render(source, context)
        XCTAssertEqual(output, expected, "rendering \(source.debugDescription)", file: file, line: line)
    } catch {
        XCTFail("rendering \(source.debugDescription) failed: \(error)", file: file, line: line)
    }
}

/// Asserts each `(template, expected output)` pair against one context.
func assertRendersAll(
    _ cases: [(String, String)], _ context: JSONValue = .object([:]),
    file: StaticString = #filePath, line: UInt = #line
) {
    for (source, expected) in cases {
        assertRenders(source, context, expected, file: file, line: line)
    }
}

/// Asserts `source` fails to parse at `line`:`column` with a message containing `fragment`.
func assertSyntaxError(
    _ source: String, line errorLine: Int, column: Int, _ fragment: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        _ = try TeraTemplate(source: source)
        XCTFail("expected a syntax error for \(source.debugDescription)", file: file, line: line)
    } catch let error as TemplateSyntaxError {
        XCTAssertEqual(error.line, errorLine, "line of \(error)", file: file, line: line)
        XCTAssertEqual(error.column, column, "column of \(error)", file: file, line: line)
        XCTAssertTrue(
            error.message.contains(fragment), "\(error.message.debugDescription) should contain \(fragment.debugDescription)",
            file: file, line: line)
    } catch {
        XCTFail("unexpected error type: \(error)", file: file, line: line)
    }
}

/// Asserts rendering fails with exactly `message` (and, if given, at `errorLine`).
func assertRenderError(
    _ source: String, _ context: JSONValue = .object([:]), _ message: String,
    line errorLine: Int? = nil, file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let template = try TeraTemplate(source: source)
        let output = try template.render(context)
        XCTFail("expected a render error for \(source.debugDescription), got \(output.debugDescription)", file: file, line: line)
    } catch let error as TemplateRenderError {
        XCTAssertEqual(error.message, message, file: file, line: line)
        if let errorLine { XCTAssertEqual(error.line, errorLine, file: file, line: line) }
    } catch {
        XCTFail("unexpected error: \(error)", file: file, line: line)
    }
}
