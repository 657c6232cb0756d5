import XCTest

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

/// `is` tests: `x is defined`, `x is not odd`, `x is containing("a")`, ...
final class IsTestTests: XCTestCase {
    private let context = json(
        #"""
        {"is_true": true, "age": 18, "seven": 7, "ratio": 2.5, "name": "john", "map": {"0": 1, "key": "v"},
         "numbers": [1, 2, 3], "maybe": null, "nested": {"a": {}}}
        """#)

    func testTeraTests() {
        assertRendersAll(
            [
                ("{% if is_true is defined %}Admin{% endif %}", "Admin"),
                ("{% if hello is undefined %}Admin{% endif %}", "Admin"),
                ("{% if name is string %}Admin{% endif %}", "Admin"),
                ("{% if age is number %}Admin{% endif %}", "Admin"),
                ("{% if ratio is number %}Admin{% endif %}", "Admin"),
                ("{% if age is even %}Admin{% endif %}", "Admin"),
                ("{% if age is odd %}Admin{% else %}even{% endif %}", "even"),
                ("{% if seven is odd %}odd{% endif %}", "odd"),
                ("{% if age is divisibleby(3) %}Admin{% endif %}", "Admin"),
                ("{% if numbers is iterable %}Admin{% endif %}", "Admin"),
                ("{% if map is iterable %}Admin{% endif %}", "Admin"),
                ("{% if name is iterable %}yes{% else %}no{% endif %}", "no"),
                ("{% if map is object %}Admin{% endif %}", "Admin"),
                ("{% if numbers is object %}yes{% else %}no{% endif %}", "no"),
                ("{% if name is starting_with('j') %}Admin{% endif %}", "Admin"),
                ("{% if name is ending_with('n') %}Admin{% endif %}", "Admin"),
                ("{% if numbers is containing(2) %}Admin{% endif %}", "Admin"),
                ("{% if name is containing(\"oh\") %}Admin{% endif %}", "Admin"),
                ("{% if map is containing(\"key\") %}Admin{% endif %}", "Admin"),
                ("{% if name is matching('^j.*') %}Admin{% endif %}", "Admin"),
                ("{% if name is matching('^x') %}yes{% else %}no{% endif %}", "no"),
                // `null` is a defined value.
                ("{% if maybe is defined %}Admin{% endif %}", "Admin"),
                ("{% if nested.a is defined %}a{% endif %}{% if nested.a.b is defined %}b{% endif %}", "a"),
                ("{% if map[\"key\"] is defined %}key{% endif %}", "key"),
            ], context)
    }

    func testNegatedTests() {
        assertRendersAll(
            [
                ("{% if name is not defined %}yes{% else %}no{% endif %}", "no"),
                ("{% if hello is not defined %}yes{% else %}no{% endif %}", "yes"),
                ("{% if age is not odd %}even{% endif %}", "even"),
                ("{% if name is not containing(\"x\") %}ok{% endif %}", "ok"),
                ("{{ name is defined }}", "true"),
                ("{{ not name is defined }}", "false"),
                ("{{ name is not defined }}", "false"),
                ("{{ not name is not defined }}", "true"),
                ("{% if age is even and name is string %}both{% endif %}", "both"),
            ], context)
    }

    func testTestErrors() {
        assertRenderError(
            "{% if x is odd %}{% endif %}", context,
            "Test call 'odd' failed: Tester `odd` was called on an undefined variable", line: 1)
        assertRenderError(
            "{% if name is odd %}{% endif %}", context,
            "Test call 'odd' failed: Tester `odd` was called on a variable that isn't a number")
        assertRenderError(
            "{% if a is undefined(1) %}-{% endif %}", context,
            "Test call 'undefined' failed: Tester `undefined` was called with some args but this test doesn't take args")
        assertRenderError(
            "{% if age is starting_with(1) %}-{% endif %}", context,
            "Test call 'starting_with' failed: Tester `starting_with` was called on a variable that isn't a string")
    }
}
