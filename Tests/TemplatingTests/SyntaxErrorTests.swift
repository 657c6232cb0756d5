import XCTest

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

/// Parse errors with the 1-based line and column of the offending token.
final class SyntaxErrorTests: XCTestCase {
    func testUnclosedDelimiters() {
        assertSyntaxError("Hello, {{ name !", line: 1, column: 16, "unexpected character `!`")
        assertSyntaxError("{{ name", line: 1, column: 1, "unclosed `{{` tag: expected `}}`")
        assertSyntaxError("ok\n  {% if x", line: 2, column: 3, "unclosed `{%` tag: expected `%}`")
        assertSyntaxError("{{ a\n{% if b %}", line: 1, column: 1, "unclosed `{{` tag: found `{%` before the closing `}}`")
        assertSyntaxError("{# unclosed", line: 1, column: 1, "unclosed comment")
        assertSyntaxError("{##}", line: 1, column: 1, "empty comment")
        assertSyntaxError("x\n{% raw %}abc", line: 2, column: 1, "unclosed `raw` block")
        assertSyntaxError("{{ 'abc }}", line: 1, column: 4, "unclosed string literal")
        assertSyntaxError("{% if x }}", line: 1, column: 9, "`{%` tag closed with `}}`: expected `%}`")
        assertSyntaxError("{{ x %}", line: 1, column: 6, "`{{` tag closed with `%}`: expected `}}`")
    }

    func testUnclosedAndUnmatchedBlocks() {
        assertSyntaxError("{% if x %}\nfoo", line: 1, column: 1, "unclosed `if` block: expected `{% endif %}`")
        assertSyntaxError("a\n  {% for x in xs %}\n{{ x }}", line: 2, column: 3, "unclosed `for` block: expected `{% endfor %}`")
        assertSyntaxError("{% filter upper %}x", line: 1, column: 1, "unclosed `filter` block")
        assertSyntaxError("a\n{% endif %}", line: 2, column: 1, "unexpected `{% endif %}`: there is no open `if` block")
        assertSyntaxError("{% endfor %}", line: 1, column: 1, "there is no open `for` loop")
        assertSyntaxError("{% else %}", line: 1, column: 1, "there is no open `if` or `for` block")
        assertSyntaxError(
            "{% for x in xs %}\n  {% endif %}", line: 2, column: 3,
            "unexpected `{% endif %}`: the `for` block opened at line 1, column 1 must be closed with `{% endfor %}` first")
        assertSyntaxError("{% for x in xs %}{% elif y %}{% endfor %}", line: 1, column: 18, "the `for` block opened at line 1, column 1")
        assertSyntaxError("{% if x %}{% endfilter %}", line: 1, column: 11, "must be closed with `{% endif %}` first")
        assertSyntaxError("{% if a %}{% else %}{% else %}{% endif %}", line: 1, column: 21, "an `if` block can only have one `else`")
        assertSyntaxError("{% if a %}{% else %}{% elif b %}{% endif %}", line: 1, column: 21, "`elif` cannot come after `else`")
        assertSyntaxError("{% if x %}{% endif x %}", line: 1, column: 20, "unexpected `x`: expected `%}`")
        assertSyntaxError("{% endraw %}", line: 1, column: 1, "there is no open `raw` block")
    }

    /// Unknown filters, tests and functions are rejected when the template is parsed.
    func testUnknownNames() {
        assertSyntaxError("{{ name | nofilter }}", line: 1, column: 11, "unknown filter `nofilter`")
        assertSyntaxError("line1\n  {{ x | upper | bogus(a=1) }}", line: 2, column: 18, "unknown filter `bogus`")
        assertSyntaxError("{% filter nosuch %}x{% endfilter %}", line: 1, column: 11, "unknown filter `nosuch`")
        assertSyntaxError("{% for x in xs | nope %}{% endfor %}", line: 1, column: 18, "unknown filter `nope`")
        assertSyntaxError("{{ x | date }}", line: 1, column: 8, "filter `date` is not supported")
        assertSyntaxError("{{ x is nosuch }}", line: 1, column: 9, "unknown test `nosuch`")
        assertSyntaxError("{{ nosuch() }}", line: 1, column: 4, "unknown function `nosuch`")
        assertSyntaxError("{{ get_env(name='HOME') }}", line: 1, column: 4, "function `get_env` is not supported")
        assertSyntaxError("{% foo %}", line: 1, column: 4, "unknown tag `foo`")
    }

    func testUnsupportedTags() {
        assertSyntaxError("{% include \"a.html\" %}", line: 1, column: 1, "`include` is not supported")
        assertSyntaxError("{% import \"m.html\" as m %}", line: 1, column: 1, "`import` is not supported")
        assertSyntaxError("x\n{% macro m() %}{% endmacro %}", line: 2, column: 1, "macros are not supported")
        assertSyntaxError("{% extends \"base.html\" %}", line: 1, column: 1, "template inheritance (`extends`) is not supported")
        assertSyntaxError("{% block content %}{% endblock %}", line: 1, column: 1, "`block` is not supported")
        assertSyntaxError("{{ ns::m() }}", line: 1, column: 4, "macros are not supported")
        assertSyntaxError("{{ super() }}", line: 1, column: 4, "`super()` is not supported")
    }

    func testLoopControlOutsideLoops() {
        assertSyntaxError("{% break %}", line: 1, column: 1, "`break` can only be used inside a `for` loop")
        assertSyntaxError("{% if x %}{% continue %}{% endif %}", line: 1, column: 11, "`continue` can only be used inside a `for` loop")
        // As in Tera, a filter section inside a loop does not allow `break`.
        assertSyntaxError(
            "{% for x in xs %}{% filter upper %}{% break %}{% endfilter %}{% endfor %}", line: 1, column: 36,
            "`break` can only be used inside a `for` loop")
    }

    func testUnexpectedTokens() {
        assertSyntaxError("{{ 1 + }}", line: 1, column: 8, "unexpected `}}`: expected a value")
        assertSyntaxError("{{ }}", line: 1, column: 4, "unexpected `}}`: expected a value")
        assertSyntaxError("{% if %}", line: 1, column: 7, "unexpected `%}`: expected a value")
        assertSyntaxError("{{ a b }}", line: 1, column: 6, "unexpected `b`: expected `}}`")
        assertSyntaxError("{{ x | }}", line: 1, column: 8, "unexpected `}}`: expected a filter name")
        assertSyntaxError("{% set = 1 %}", line: 1, column: 8, "unexpected `=`: expected a variable name")
        assertSyntaxError("{% set a.b = 1 %}", line: 1, column: 8, "unexpected `a.b`: expected a variable name")
        assertSyntaxError("{% for x xs %}{% endfor %}", line: 1, column: 10, "unexpected `xs`: expected `in`")
        assertSyntaxError("{{ [1, 2 }}", line: 1, column: 10, "unexpected `}}`: expected `,` or `]`")
        assertSyntaxError("{{ foo(a=1 }}", line: 1, column: 12, "unexpected `}}`: expected `,` or `)`")
        assertSyntaxError("{{ a | default(value=) }}", line: 1, column: 22, "unexpected `)`: expected a value")
        assertSyntaxError("{{ 01 }}", line: 1, column: 4, "invalid number `01`")
        assertSyntaxError("{{ 99999999999999999999 }}", line: 1, column: 4, "Integer out of bounds")
    }

    /// Places where Tera's grammar is stricter than it looks.
    func testTeraGrammarRestrictions() {
        // At most one comparison per operand.
        assertSyntaxError("{{ 1 < 2 < 3 }}", line: 1, column: 10, "unexpected `<`: expected `}}`")
        // Strings are not math operands.
        assertSyntaxError("{{ \"a\" + 1 }}", line: 1, column: 8, "unexpected `+`: expected `}}`")
        // Loops iterate over variables, function calls and array literals, not string literals.
        assertSyntaxError("{% for x in \"abc\" %}{% endfor %}", line: 1, column: 13, "expected a value")
        // `not` cannot negate a parenthesised logic expression.
        assertSyntaxError("{{ not (a and b) }}", line: 1, column: 11, "unexpected `and`: expected `)`")
    }

    func testColumnsCountCharactersAndLinesCountNewlines() {
        assertSyntaxError("é{{ x | nope }}", line: 1, column: 9, "unknown filter `nope`")
        assertSyntaxError("{{ x\n | nope }}", line: 2, column: 4, "unknown filter `nope`")
        assertSyntaxError("a\r\nb\r\n{{ x | nope }}", line: 3, column: 8, "unknown filter `nope`")
    }

    func testDescription() {
        XCTAssertThrowsError(try TeraTemplate(source: "{{ name | nofilter }}")) { error in
            XCTAssertEqual(
                (error as? TemplateSyntaxError)?.description,
                "syntax error at line 1, column 11: unknown filter `nofilter`")
        }
    }

    /// Things that look unusual but are valid Tera.
    func testValidEdgeCases() throws {
        let sources = [
            "{{ not_done }}",
            "{% if x is not defined %}{% endif %}",
            "{{ x | default(value=1,) }}",
            "{% for k, v in obj %}{% else %}{% else %}{% endfor %}",
            "{{ \"{% if %}\" }}",
            "unicode ✓ text {{ 'ünï' }}",
            "{#- comment -#}",
            "{{-1-}}",
        ]
        for source in sources {
            XCTAssertNoThrow(try TeraTemplate(source: source), source)
        }
    }
}
