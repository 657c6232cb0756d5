import XCTest

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

/// Every supported filter, with exact outputs (many taken from Tera's own filter tests).
final class FilterTests: XCTestCase {
    func testDefault() {
        let context = json(#"{"existing": "hello", "null": null, "empty": "", "zero": 0}"#)
        assertRendersAll(
            [
                ("{{ existing | default(value=\"hey\") }}", "hello"),
                ("{{ val | default(value=1) }}", "1"),
                ("{{ val | default(value=\"hey\") | capitalize }}", "Hey"),
                ("{{ obj.val | default(value=\"hey\") | capitalize }}", "Hey"),
                ("{{ not admin | default(value=false) }}", "true"),
                ("{{ not admin | default(value=true) }}", "false"),
                ("{{ null | default(value=true) }}", "true"),
                ("{{ null | default(value=\"hey\") | capitalize }}", "Hey"),
                ("{{ missing | default(value=existing) }}", "hello"),
                ("{{ missing | default(value=[1, 2]) }}", "[1, 2]"),
                // Only undefined and null are replaced: empty strings and zero are kept.
                ("[{{ empty | default(value=\"x\") }}]", "[]"),
                ("{{ zero | default(value=5) }}", "0"),
                // `default` only applies to a variable, and only as the first filter.
                ("[{{ \"\" | default(value=\"x\") }}]", "[]"),
                ("{{ existing | upper | default(value=\"x\") }}", "HELLO"),
            ], context)
        assertRenderError(
            "{{ val | upper | default(value=\"x\") }}", .object([:]),
            "Variable `val` not found in context while rendering 'template'")
        assertRenderError("{{ val | default(v=1) }}", .object([:]), "The `default` filter requires a `value` argument.")
    }

    func testCaseFilters() {
        assertRendersAll([
            ("{{ \"hello\" | upper }}", "HELLO"),
            ("{{ \"straße\" | upper }}", "STRASSE"),
            ("{{ \"HeLLo\" | lower }}", "hello"),
            ("{{ \"CAPITAL IZE\" | capitalize }}", "Capital ize"),
            ("{{ \"capital ize\" | capitalize }}", "Capital ize"),
            ("[{{ \"\" | capitalize }}]", "[]"),
            ("{{ \"foo bar\" | title }}", "Foo Bar"),
            ("{{ \"foo-bar\" | title }}", "Foo-Bar"),
            ("{{ \"FOO\tBAR\" | title }}", "Foo\tBar"),
            ("{{ \"foo (bar)\" | title }}", "Foo (Bar)"),
            ("{{ \"foo's bar\" | title }}", "Foo's Bar"),
            ("{{ \"  foo  bar\" | title }}", "  Foo  Bar"),
        ])
    }

    func testTrimFilters() {
        assertRendersAll([
            ("[{{ \"  hello  \" | trim }}]", "[hello]"),
            ("[{{ \"\n\t hello \r\n\" | trim }}]", "[hello]"),
            ("[{{ \"  hello  \" | trim_start }}]", "[hello  ]"),
            ("[{{ \"  hello  \" | trim_end }}]", "[  hello]"),
            ("{{ \"/a/b/cde/\" | trim_start_matches(pat=\"/\") }}", "a/b/cde/"),
            ("{{ \"/a/b/cde/\" | trim_end_matches(pat=\"/\") }}", "/a/b/cde"),
            ("{{ \", hello, world, \" | trim_start_matches(pat=\", \") }}", "hello, world, "),
            ("{{ \"xxabcxx\" | trim_start_matches(pat=\"x\") }}", "abcxx"),
        ])
    }

    func testReplaceAndSplit() {
        assertRendersAll(
            [
                ("{{ \"Hello world!\" | replace(from=\"Hello\", to=\"Goodbye\") }}", "Goodbye world!"),
                ("{{ \"aaa\" | replace(from=\"a\", to=\"bb\") }}", "bbbbbb"),
                ("{{ \"ab\" | replace(from=\"\", to=\"-\") }}", "-a-b-"),
                ("{{ \"DOCTOR Who\" | lower | replace(from=\"doctor\", to=\"Dr.\") }}", "Dr. who"),
                ("{{ \"a/b/cde\" | split(pat=\"/\") }}", "[a, b, cde]"),
                ("{{ \"a,,b\" | split(pat=\",\") | length }}", "3"),
                ("{{ \"a,b\" | split(pat=\",\") | last }}", "b"),
                // Tera strings have no escapes; `\n` written in a pattern means a newline.
                ("{{ lines | split(pat=\"\\n\") | join(sep=\"|\") }}", "one|two"),
            ], json(#"{"lines": "one\ntwo"}"#))
    }

    func testStringInspection() {
        assertRendersAll([
            ("{{ \"日本語\" | length }}", "3"),
            ("{{ \"Joel is a slug\" | wordcount }}", "4"),
            ("{{ \"  spaced   out \" | wordcount }}", "2"),
            ("{{ \"Hello World\" | truncate(length=5) }}", "Hello…"),
            ("{{ \"Hello World\" | truncate(length=5, end=\"...\") }}", "Hello..."),
            ("{{ \"Hello\" | truncate(length=10) }}", "Hello"),
            ("{{ \"日本語\" | truncate(length=2) }}", "日本…"),
            ("{{ \"abc\" | reverse }}", "cba"),
        ])
    }

    func testHTMLAndURLFilters() {
        assertRendersAll([
            ("{{ \"<b>\" | safe }}", "<b>"),
            ("{{ \"<b>\" }}", "<b>"),
            ("{{ \"<a href='x'>&</a>\" | escape }}", "&lt;a href=&#x27;x&#x27;&gt;&amp;&lt;&#x2F;a&gt;"),
            ("{{ 'hey-&\"<>-ho' | escape_xml }}", "hey-&amp;&quot;&lt;&gt;-ho"),
            ("{{ `it's` | escape_xml }}", "it&apos;s"),
            ("{{ \"<b>Joel</b> <button>is</button> a <span>slug</span>\" | striptags }}", "Joel is a slug"),
            ("{{ \"a<!-- hidden -->b<br/>c\" | striptags }}", "abc"),
            ("{{ \"a\nb\r\nc\" | linebreaksbr }}", "a<br>b<br>c"),
            ("{{ \"<p>\n<a>test</a>\r\n </p>\" | spaceless }}", "<p><a>test</a></p>"),
            ("{{ \"https://www.example.org/foo?a=b&c=d\" | urlencode }}", "https%3A//www.example.org/foo%3Fa%3Db%26c%3Dd"),
            ("{{ '/test&\"/me?/' | urlencode }}", "/test%26%22/me%3F/"),
            ("{{ \"https://www.example.org/\" | urlencode_strict }}", "https%3A%2F%2Fwww%2Eexample%2Eorg%2F"),
            ("{{ \"é ü\" | urlencode }}", "%C3%A9%20%C3%BC"),
            ("{{ `I'm \"so\" happy` | addslashes }}", "I\\'m \\\"so\\\" happy"),
        ])
    }

    func testSlugify() {
        assertRendersAll([
            ("{{ \"Hello world\" | slugify }}", "hello-world"),
            ("{{ \"Hello 世界\" | slugify }}", "hello-shi-jie"),
            ("{{ \"  Ünïcödé -- Text!  \" | slugify }}", "unicode-text"),
            ("{{ \"my_app v2.1\" | slugify }}", "my-app-v2-1"),
        ])
    }

    func testIndent() {
        let context = json(#"{"text": "one\n\ntwo\nthree", "trailing": "a\nb\n", "crlf": "a\r\nb"}"#)
        assertRendersAll(
            [
                ("{{ text | indent }}", "one\n\n    two\n    three"),
                ("{{ text | indent(prefix=\" \", first=true, blank=true) }}", " one\n \n two\n three"),
                ("{{ text | indent(prefix=\"--\") }}", "one\n\n--two\n--three"),
                ("{{ trailing | indent(prefix=\"  \") }}", "a\n  b"),
                ("{{ crlf | indent(prefix=\"  \") }}", "a\n  b"),
                ("[{{ \"\" | indent(first=true) }}]", "[]"),
            ], context)
    }

    func testBase64() {
        assertRendersAll([
            ("{{ \"hello\" | b64encode }}", "aGVsbG8="),
            ("{{ \"aGVsbG8=\" | b64decode }}", "hello"),
            ("{{ \"héllo wörld\" | b64encode | b64decode }}", "héllo wörld"),
            ("[{{ \"\" | b64encode }}]", "[]"),
        ])
        assertRenderError(
            "{{ \"%%%\" | b64decode }}", .object([:]),
            "Filter call 'b64decode' failed: Filter `b64decode` was called on a value that isn't valid base64-encoded UTF-8: `%%%`")
    }

    func testNumberFilters() {
        assertRendersAll(
            [
                ("{{ \"42\" | int }}", "42"),
                ("{{ \" -5 \" | int }}", "-5"),
                ("{{ \"1.9\" | int }}", "1"),
                ("{{ 3.99 | int }}", "3"),
                ("{{ -3.99 | int }}", "-3"),
                ("{{ \"abc\" | int(default=7) }}", "7"),
                ("{{ \"0xFF\" | int(base=16) }}", "255"),
                ("{{ \"1010\" | int(base=2) }}", "10"),
                ("{{ \"0o17\" | int(base=8) }}", "15"),
                ("{{ \"1.5\" | float }}", "1.5"),
                ("{{ \"x\" | float(default=2.5) }}", "2.5"),
                ("{{ 3 | float | json_encode }}", "3.0"),
                ("{{ num_str | int + 1 }}", "8"),
                ("{{ 2.5 | round }}", "3"),
                ("{{ -2.5 | round }}", "-3"),
                ("{{ 2.1 | round | json_encode }}", "2.0"),
                ("{{ 3.15159265359 | round(precision=2) }}", "3.15"),
                ("{{ 2.1 | round(method=\"ceil\") }}", "3"),
                ("{{ 2.11 | round(method=\"ceil\", precision=1) }}", "2.2"),
                ("{{ 2.91 | round(method=\"floor\", precision=1) }}", "2.9"),
                ("{{ -5 | abs }}", "5"),
                ("{{ -1.5 | abs }}", "1.5"),
                ("{{ 7 | abs }}", "7"),
                ("[{{ 1 | pluralize }}]", "[]"),
                ("{{ 2 | pluralize }}", "s"),
                ("{{ 0 | pluralize }}", "s"),
                ("{{ 2 | pluralize(plural=\"es\") }}", "es"),
                ("{{ 1 | pluralize(singular=\"y\", plural=\"ies\") }}", "y"),
            ], json(#"{"num_str": "7"}"#))
    }

    func testConversionsToText() {
        let context = json(#"{"object": {"b": 1, "a": [1, 2.5, "x", null, true], "c": {"d": "q\"uote\n"}}, "f": 2.0}"#)
        assertRendersAll(
            [
                ("{{ object | json_encode }}", #"{"a":[1,2.5,"x",null,true],"b":1,"c":{"d":"q\"uote\n"}}"#),
                ("{{ object.a | json_encode(pretty=true) }}", "[\n  1,\n  2.5,\n  \"x\",\n  null,\n  true\n]"),
                ("{{ object.c | json_encode(pretty=true) }}", "{\n  \"d\": \"q\\\"uote\\n\"\n}"),
                ("{{ f | json_encode }}", "2.0"),
                ("{{ \"é\" | json_encode }}", "\"é\""),
                ("{{ [] | json_encode(pretty=true) }}", "[]"),
                ("{{ [1, 2] | as_str }}", "[1, 2]"),
                ("{{ [1, 2] | as_str | length }}", "6"),
                ("{{ f | as_str }}", "2"),
                ("{{ object | as_str }}", "[object]"),
            ], context)
    }

    /// `json_encode` writes floats as serde_json (ryu) does, unlike `{{ }}` output.
    func testJSONNumberFormatting() {
        let context = json(#"{"big": 1e20, "small": 1e-7, "e16": 1e16, "e15": 1e15, "tenk": 0.0001, "frac": 1.23456e-8, "neg": -2.5}"#)
        assertRendersAll(
            [
                ("{{ big }}", "100000000000000000000"),
                ("{{ big | json_encode }}", "1e20"),
                ("{{ small | json_encode }}", "1e-7"),
                ("{{ e16 | json_encode }}", "1e16"),
                ("{{ e15 | json_encode }}", "1000000000000000.0"),
                ("{{ tenk | json_encode }}", "0.0001"),
                ("{{ frac | json_encode }}", "1.23456e-8"),
                ("{{ neg | json_encode }}", "-2.5"),
                ("{{ 0.0 | json_encode }}", "0.0"),
            ], context)
    }

    private let people = json(
        #"""
        {"people": [
          {"name": "bob", "age": 40, "role": "dev", "team": {"id": 2}},
          {"name": "ann", "age": 31, "role": "admin", "team": {"id": 1}},
          {"name": "cid", "age": 25, "role": "dev"},
          {"name": "dee", "age": 31, "role": null}
        ]}
        """#)

    func testArrayAccessFilters() {
        assertRendersAll([
            ("{{ [1, 2, 3] | first }}", "1"),
            ("{{ [1, 2, 3] | last }}", "3"),
            ("{{ [1, 2, 3] | nth(n=1) }}", "2"),
            ("[{{ [1, 2, 3] | nth(n=10) }}]", "[]"),
            ("[{{ [] | first }}]", "[]"),
            ("[{{ [] | last }}]", "[]"),
            ("{{ [1, 2, 3] | length }}", "3"),
            ("{{ [1, 2, 3] | reverse }}", "[3, 2, 1]"),
            ("{{ [1, 2, 3, 4, 5] | slice(start=1, end=3) }}", "[2, 3]"),
            ("{{ [1, 2, 3, 4, 5] | slice(start=-2) }}", "[4, 5]"),
            ("{{ [1, 2, 3, 4, 5] | slice(end=-1) }}", "[1, 2, 3, 4]"),
            ("{{ [1, 2, 3, 4, 5] | slice(start=3, end=1) }}", "[]"),
            ("{{ [1, 2] | concat(with=[3, 4]) }}", "[1, 2, 3, 4]"),
            ("{{ [1, 2] | concat(with=5) }}", "[1, 2, 5]"),
        ])
    }

    func testJoin() {
        assertRendersAll([
            ("{{ [\"Cats\", \"Dogs\"] | join(sep=\"==\") }}", "Cats==Dogs"),
            ("{{ [1.2, 3.4] | join }}", "1.23.4"),
            ("{{ [1, \"a\", true, 2.0] | join(sep=\", \") }}", "1, a, true, 2"),
            ("[{{ [] | join(sep=\",\") }}]", "[]"),
            ("{{ [\"a\", \"b\"] | join(sep=\",\\n\\t\") }}", "a,\n\tb"),
        ])
    }

    func testSortAndUnique() {
        assertRendersAll(
            [
                ("{{ [3, -1, 2, 5, 4] | sort }}", "[-1, 2, 3, 4, 5]"),
                ("{{ [2.5, 1, 2] | sort }}", "[1, 2, 2.5]"),
                ("{{ [\"b\", \"a\", \"C\"] | sort }}", "[C, a, b]"),
                ("{{ [true, false] | sort }}", "[false, true]"),
                ("{{ people | sort(attribute=\"age\") | map(attribute=\"name\") }}", "[cid, ann, dee, bob]"),
                ("{{ people | sort(attribute=\"name\") | map(attribute=\"age\") }}", "[31, 40, 25, 31]"),
                ("{{ [1, 2, 1, 3, 2] | unique }}", "[1, 2, 3]"),
                ("{{ [\"a\", \"A\", \"b\"] | unique }}", "[a, b]"),
                ("{{ [\"a\", \"A\", \"b\"] | unique(case_sensitive=true) }}", "[a, A, b]"),
                ("{{ people | unique(attribute=\"age\") | map(attribute=\"name\") }}", "[bob, ann, cid]"),
            ], people)
        assertRenderError("{{ [1, \"a\"] | sort }}", .object([:]), "Filter call 'sort' failed: expected number got \"a\"")
        assertRenderError(
            "{{ people | sort(attribute=\"team.id\") }}", people,
            "Filter call 'sort' failed: attribute 'team.id' does not reference a field")
    }

    func testMapFilterGroupBy() {
        assertRendersAll(
            [
                ("{{ people | map(attribute=\"name\") }}", "[bob, ann, cid, dee]"),
                ("{{ people | map(attribute=\"team.id\") }}", "[2, 1]"),
                ("{{ people | map(attribute=\"role\") }}", "[dev, admin, dev]"),
                ("{{ people | filter(attribute=\"role\", value=\"dev\") | map(attribute=\"name\") }}", "[bob, cid]"),
                ("{{ people | filter(attribute=\"role\") | length }}", "3"),
                ("{{ people | filter(attribute=\"age\", value=31) | map(attribute=\"name\") | join(sep=\"+\") }}", "ann+dee"),
                (
                    "{% for role, members in people | group_by(attribute=\"role\") %}{{ role }}={{ members | map(attribute=\"name\") | join(sep=\",\") }};{% endfor %}",
                    "admin=ann;dev=bob,cid;"
                ),
                ("{% for age, members in people | group_by(attribute=\"age\") %}{{ age }}:{{ members | length }} {% endfor %}", "25:1 31:2 40:1 "),
            ], people)
    }

    func testObjectFilters() {
        let context = json(#"{"obj": {"b": 2, "a": 1, "nested": {"x": "y"}}}"#)
        assertRendersAll(
            [
                ("{{ obj | get(key=\"a\") }}", "1"),
                ("{{ obj | get(key=\"nested\") | get(key=\"x\") }}", "y"),
                ("{{ obj | get(key=\"zz\", default=\"d\") }}", "d"),
                ("{{ obj | length }}", "3"),
                ("{{ obj | keys }}", "[a, b, nested]"),
                ("{{ obj.nested | values }}", "[y]"),
                ("{% for k in obj | keys %}{{ k }} {% endfor %}", "a b nested "),
            ], context)
        assertRenderError(
            "{{ obj | get(key=\"zz\") }}", context,
            "Filter call 'get' failed: Filter `get` tried to get key `zz` but it wasn't found")
    }

    func testChainingAndArgumentsFromVariables() {
        let context = json(#"{"name": " Web Frontend ", "sep": "-", "n": 2}"#)
        assertRendersAll(
            [
                ("{{ name | trim | lower | replace(from=\" \", to=sep) }}", "web-frontend"),
                ("{{ name | trim | split(pat=\" \") | nth(n=n - 1) }}", "Frontend"),
                ("{{ name | trim | truncate(length=n * 2, end=\"\") }}", "Web "),
            ], context)
    }

    func testFilterTypeErrors() {
        assertRenderError(
            "{{ 50 | upper }}", .object([:]),
            "Filter call 'upper' failed: Filter `upper` was called on an incorrect value: got `50` but expected a String")
        assertRenderError(
            "{{ \"x\" | replace(from=\"a\") }}", .object([:]),
            "Filter call 'replace' failed: Filter `replace` expected an arg called `to`")
        assertRenderError(
            "{{ \"x\" | truncate(length=\"5\") }}", .object([:]),
            "Filter call 'truncate' failed: Filter `truncate` received an incorrect type for arg `length`: got `\"5\"` but expected a usize")
        assertRenderError(
            "{{ 15 | length }}", .object([:]),
            "Filter call 'length' failed: Filter `length` was used on a value that isn't an array, an object, or a string.")
        assertRenderError(
            "{{ \"abc\" | first }}", .object([:]),
            "Filter call 'first' failed: Filter `first` was called on an incorrect value: got `\"abc\"` but expected a Vec<Value>")
        assertRenderError(
            "{{ x | upper }}", json(#"{"x": null}"#),
            "Filter call 'upper' failed: Filter `upper` was called on an incorrect value: got `null` but expected a String")
        assertRenderError("{{ [1] | nth }}", .object([:]), "Filter call 'nth' failed: The `nth` filter has to have an `n` argument")
        assertRenderError("{{ true | int }}", .object([:]), "Filter call 'int' failed: Filter `int` received an unexpected type")
        assertRenderError(
            "{{ 1.5 | round(method=\"up\") }}", .object([:]),
            "Filter call 'round' failed: Filter `round` received an incorrect value for arg `method`: got `\"up\"`, only common, ceil and floor are allowed"
        )
        assertRenderError(
            "{{ \"a\" | upper(x=missing) }}", .object([:]),
            "Filter call 'upper' failed: Variable `missing` not found in context while rendering 'template'")
    }
}
