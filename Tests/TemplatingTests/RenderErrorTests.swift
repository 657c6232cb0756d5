import Foundation
import XCTest

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

/// Failures while rendering: strict undefined variables, type errors, and the line they happen on.
final class RenderErrorTests: XCTestCase {
    func testUndefinedVariableIsAnError() {
        assertRenderError("{{ foo }}", .object([:]), "Variable `foo` not found in context while rendering 'template'", line: 1)
        assertRenderError(
            "a\nb\n  {{ missing }}", .object([:]),
            "Variable `missing` not found in context while rendering 'template'", line: 3)
        assertRenderError("{{ a.b }}", json(#"{"a": {}}"#), "Variable `a.b` not found in context while rendering 'template'")
        assertRenderError("{{ name | upper }}", .object([:]), "Variable `name` not found in context while rendering 'template'")
        assertRenderError("{% set x = y %}", .object([:]), "Variable `y` not found in context while rendering 'template'")
        assertRenderError("{% for x in xs %}{% endfor %}", .object([:]), "Variable `xs` not found in context while rendering 'template'")
        assertRenderError("{% if x == 1 %}{% endif %}", .object([:]), "Variable `x` not found in context while rendering 'template'")
    }

    func testDescriptionAndName() throws {
        do {
            _ = try TeraTemplate(source: "line 1\n{{ nope }}", name: "web-service").render(.object([:]))
            XCTFail("expected an error")
        } catch let error as TemplateRenderError {
            XCTAssertEqual(error.line, 2)
            XCTAssertEqual(error.description, "render error at line 2: Variable `nope` not found in context while rendering 'web-service'")
        }
    }

    /// Errors inside loops and conditions report the line of the failing tag, not of the block.
    func testLineOfNestedFailure() {
        let template = """
            items:
            {% for item in items %}
            {% if item.enabled %}
              - {{ item.name | upper }}
            {% endif %}
            {% endfor %}
            """
        assertRenderError(
            template, json(#"{"items": [{"enabled": true, "name": "a"}, {"enabled": true, "name": 5}]}"#),
            "Filter call 'upper' failed: Filter `upper` was called on an incorrect value: got `5` but expected a String",
            line: 4)
        assertRenderError(
            "{% if a %}\n{% elif b > 1 %}\n{% endif %}", json(#"{"a": false}"#),
            "Variable `b` not found in context while rendering 'template'", line: 2)
    }

    func testIndexErrors() {
        let context = json(#"{"arr": [1, 2, 3], "flag": true}"#)
        assertRenderError(
            "{{ arr[10] }}", context,
            "Variable `arr[10]` not found in context while rendering 'template': the evaluated version was `arr.10`. Maybe the index is out of bounds?"
        )
        assertRenderError(
            "{{ arr[a] }}", context,
            "Variable arr[a] can not be evaluated because: Variable `a` not found in context while rendering 'template'")
        assertRenderError(
            "{{ arr[flag] }}", context,
            "Only variables evaluating to String or Number can be used as index (`flag` of `arr[flag]`)")
    }

    func testMathErrors() {
        let context = json(#"{"name": "john", "items": [1]}"#)
        assertRenderError("{{ name + 1 }}", context, "Variable `name` was used in a math operation but is not a number")
        assertRenderError("{{ 1 + true }}", context, "Tried to do math with a boolean: `true`")
        assertRenderError("{{ 'ho' ~ name < 10 }}", context, "Tried to do math with a string concatenation: 'ho' ~ name")
        assertRenderError("{% if 'a' < 1 %}{% endif %}", context, "Tried to do math with a string: `a`")
        assertRenderError("{{ name | upper + 1 }}", context, "Tried to do math with an expression not resulting in a number")
        assertRenderError("{{ 5 % 0 }}", context, "Tried to do a modulo by zero: 5 % 0")
        assertRenderError("{{ 9223372036854775807 + 1 }}", context, "9223372036854775807 + 1 results in an out of bounds i64")
        assertRenderError("{% if 1 / 0 > 1 %}{% endif %}", context, "Comparison to NaN")
    }

    func testOtherValueErrors() {
        let context = json(#"{"numbers": [1, 2], "num": 5, "obj": {"a": 1}}"#)
        assertRenderError(
            "{{ 'n: ' ~ numbers }}", context,
            "Tried to concat a value that is not a string or a number from ident numbers")
        assertRenderError("{{ 'a' in num }}", context, "The `in` operator only supports strings, arrays and objects.")
        assertRenderError("{{ 1 in 'abc' }}", context, "Tried to check if 1 is in a string, but it isn't a string")
        assertRenderError(
            "{% for x in num %}{% endfor %}", context,
            "Tried to iterate on a container (`num`) that has a unsupported type")
        assertRenderError(
            "{% for k, v in numbers %}{% endfor %}", context,
            "Tried to iterate using key value on variable `numbers`, but it isn't an object/map")
        assertRenderError(
            "{% for v in obj %}{% endfor %}", context,
            "Tried to iterate using key value on variable `obj`, but it is missing a key")
        assertRenderError("{% for x in 5 %}{% endfor %}", context, "Forloop containers have to be an ident or a function call")
        assertRenderError("{{ throw(message='bad input: ' ~ num) }}", context, "Function call 'throw' failed: bad input: 5")
        assertRenderError(
            "{{ range(end=-1) }}", context,
            "Function call 'range' failed: Function `range` received end=-1 but `end` can only be a number")
        assertRenderError(
            "{% if range(end=2) %}{% endif %}", context,
            "Function `range` was used in a logic operation but is not returning a bool")
    }

    /// A template is parsed once and can be rendered many times, concurrently.
    func testRenderingIsReusableAndThreadSafe() throws {
        let template = try TeraTemplate(source: "{% for i in range(end=n) %}{{ i }}{% endfor %}")
        let results = UnsafeResultBox()
        DispatchQueue.concurrentPerform(iterations: 20) { i in
            let output = try? template.render(.object(["n": .int(Int64(i % 5))]))
            results.set(i, output)
        }
        for i in 0..<20 {
            XCTAssertEqual(results.get(i), (0..<(i % 5)).map(String.init).joined())
        }
        XCTAssertEqual(try template.render(.object(["n": .int(3)])), "012")
        // A context that is not an object provides no variables, as in Brokkr.
        let plain = try TeraTemplate(source: "static {{ 1 + 1 }}")
        XCTAssertEqual(try plain.render(.null), "static 2")
        XCTAssertEqual(try plain.render(.array([.int(1)])), "static 2")
    }
}

/// Collects results from concurrent renders.
private final class UnsafeResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int: String] = [:]

    func set(_ key: Int, _ value: String?) {
        lock.lock()
        defer { lock.unlock() }
        values[key] = value
    }

    func get(_ key: Int) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return values[key]
    }
}
