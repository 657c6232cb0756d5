import XCTest

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

/// `{%-`, `-%}`, `{{-`, `-}}`, `{#-`, `-#}`: trim all whitespace, newlines included, on that side.
final class WhitespaceControlTests: XCTestCase {
    /// The cases of Tera's own whitespace tests.
    func testTeraWhitespaceCases() {
        assertRendersAll(
            [
                ("  {%- for n in numbers %}{{n}}{% endfor -%} ", "123"),
                ("{%- for n in numbers %} {{n}}{%- endfor -%} ", " 1 2 3"),
                ("{%- for n in numbers -%}\n {{n}}\n {%- endfor -%} ", "123"),
                ("{%- if true -%}\n {{numbers}}\n {%- endif -%} ", "[1, 2, 3]"),
                ("{%- if false -%}\n {{numbers}}\n {% else %} Nope{%- endif -%} ", " Nope"),
                ("  {%- if false -%}\n {{numbers}}\n {% else -%} Nope {%- endif -%} ", "Nope"),
                ("  {%- if false -%}\n {{numbers}}\n {% elif true -%} Nope {%- endif -%} ", "Nope"),
                ("  {%- if false -%}\n {{numbers}}\n {% elif false -%} Nope {% else %} else {%- endif -%} ", " else"),
                ("  {%- set var = 2 -%} {{var}}", "2"),
                ("  {% set var = 2 -%} {{var}}", "  2"),
                (" {% raw -%} {{2}} {% endraw -%} ", " {{2}} "),
                ("  {% filter upper -%} hey {%- endfilter -%} ", "  HEY"),
                ("  {{ \"hello\" -}} ", "  hello"),
                ("  {{- \"hello\" }} ", "hello "),
                ("  {{- \"hello\" -}} ", "hello"),
                ("  {#- \"hello\" -#} ", ""),
                ("  {# \"hello\" -#} ", "  "),
                ("  {#- \"hello\" #} ", " "),
                ("{% filter upper %}  {{ \"c\" }}   d{% endfilter %}", "  C   D"),
                ("{% raw %}    yaml_test:     {% endraw %}", "    yaml_test:     "),
            ], json(#"{"numbers": [1, 2, 3]}"#))
    }

    /// Without markers, every newline around tags is kept.
    func testNoTrimmingWithoutMarkers() {
        assertRenders("{% set my_var = 2 %}\n{{ my_var }}", "\n2")
        assertRenders("{% set my_var = 2 -%}\n{{ my_var }}", "2")
        assertRenders("a\n{% if true %}\nb\n{% endif %}\nc", "a\n\nb\n\nc")
    }

    /// The usual YAML pattern: a loop whose tags sit on their own lines.
    func testYamlListLoop() {
        let template = """
            ports:
            {%- for port in ports %}
              - containerPort: {{ port }}
            {%- endfor %}
            done
            """
        assertRenders(template, json(#"{"ports": [80, 443]}"#), "ports:\n  - containerPort: 80\n  - containerPort: 443\ndone")
    }

    func testTrimsUnicodeWhitespaceAndCRLF() {
        assertRenders("a \r\n\t\u{00A0}{{- 'b' -}}\u{2003}\r\n c", "abc")
    }

    /// Tera drops comments that open the template before any text, so their `-#}` has no effect.
    func testLeadingCommentMarkersAreIgnored() {
        assertRenders("{# header -#}\nbody", "\nbody")
        assertRenders("x{# note -#}\nbody", "xbody")
    }

    /// Tera ignores the markers of a loop's `{% else %}` and never trims the empty body.
    func testForElseMarkersAreIgnored() {
        assertRenders("{% for x in [] %}a{%- else -%}  empty  {% endfor %}", "  empty  ")
        assertRenders("{% for x in [] -%}  a  {%- else %} e {% endfor %}", " e ")
    }

    /// A marker trims only the text directly next to the tag, not text beyond another tag.
    func testTrimStopsAtOtherTags() {
        assertRenders("a {{ 'b' }} {{- 'c' }}", "a bc")
        assertRenders("a {% if true %}{% endif %} {{- 'c' }}", "a c")
    }
}
