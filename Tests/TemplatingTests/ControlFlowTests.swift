import XCTest

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

/// `if`, `for`, `set`, `filter` sections, `raw` and comments.
final class ControlFlowTests: XCTestCase {
    private let conditionContext = json(
        #"""
        {"is_true": true, "is_false": false, "age": 18, "name": "john", "empty_string": "", "numbers": [1, 2, 3],
         "empty_list": [], "empty_object": {}, "zero": 0, "nothing": null}
        """#)

    func testIfElifElse() {
        assertRendersAll(
            [
                ("{% if is_true %}Admin{% endif %}", "Admin"),
                ("{% if is_true or age + 1 > 18 %}Adult{% endif %}", "Adult"),
                ("{% if is_true and age == 18 %}Adult{% endif %}", "Adult"),
                ("{% if 1 <= 2 %}a{% endif %}", "a"),
                ("{% if 'true' %}a{% endif %}", "a"),
                ("{% if '' %}a{% endif %}", ""),
                ("{% if '' ~ empty_string %}a{% endif %}", ""),
                ("{% if not is_false and is_true %}a{% endif %}", "a"),
                ("{% if not is_false or numbers | length > 0 %}a{% endif %}", "a"),
                ("{% if 0 / 0 %}a{% endif %}", ""),
                ("{% if is_true %}Admin{% else %}User{% endif %}", "Admin"),
                ("{% if is_false %}Admin{% else %}User{% endif %}", "User"),
                ("{% if is_true %}Admin{% elif is_false %}User{% endif %}", "Admin"),
                ("{% if false %}Admin{% elif is_false %}User{% else %}Hmm{% endif %}", "Hmm"),
                ("{% if 1 < 4 %}a{% elif 2 < 4 %}b{% elif 3 < 4 %}c{% else %}d{% endif %}", "a"),
                ("{% if 100 in numbers %}Admin{% elif 1 in numbers %}User{% else %}Hmm{% endif %}", "User"),
                ("{% if (age >= 18) and (name == 'john') %}Truth{% endif %}", "Truth"),
                ("{% if (age < 18 and name == 'john') %}Truth{% endif %}", ""),
                ("{% if age >= 18 or name == 'john' and is_false %}Truth{% endif %}", "Truth"),
                ("{% if (age >= 18 or name == 'john') and is_false %}Truth{% endif %}", ""),
                ("{% if age is even %}even{% endif %}", "even"),
                ("{% if numbers is containing(2) and name is starting_with('j') %}ok{% endif %}", "ok"),
            ], conditionContext)
    }

    /// Tera's truthiness in conditions; undefined variables are falsy rather than errors.
    func testTruthiness() {
        assertRendersAll(
            [
                ("{% if empty_string %}t{% else %}f{% endif %}", "f"),
                ("{% if empty_list %}t{% else %}f{% endif %}", "f"),
                ("{% if empty_object %}t{% else %}f{% endif %}", "f"),
                ("{% if zero %}t{% else %}f{% endif %}", "f"),
                ("{% if nothing %}t{% else %}f{% endif %}", "f"),
                ("{% if numbers %}t{% else %}f{% endif %}", "t"),
                ("{% if 0.5 %}t{% else %}f{% endif %}", "t"),
                ("{% if undefined_flag %}t{% else %}f{% endif %}", "f"),
                ("{% if not undefined_flag %}t{% else %}f{% endif %}", "t"),
                ("{% if undefined_object.field %}t{% else %}f{% endif %}", "f"),
                ("{% if numbers.10 %}t{% else %}f{% endif %}", "f"),
            ], conditionContext)
    }

    private let loopContext = json(
        #"""
        {"data": [1, 2, 3], "vectors": [[0, 3, 6], [1, 4, 7]], "vectors_some_empty": [[0, 3, 6], [], [1, 4, 7]],
         "map": {"name": "bob", "age": "18"}, "truthy": 2, "tags": [1, 2, 3], "default": "default", "word": "héllo"}
        """#)

    func testForLoops() {
        assertRendersAll(
            [
                ("{% for i in data %}{{i}}{% endfor %}", "123"),
                ("{% for key, val in map %}{{key}}:{{val}} {% endfor %}", "age:18 name:bob "),
                (
                    "{% for i in data %}{{loop.index}}{{loop.index0}}{{loop.first}}{{loop.last}}{% endfor %}",
                    "10truefalse21falsefalse32falsetrue"
                ),
                ("{% for vector in vectors %}{% for j in vector %}{{ j }}{% endfor %}{% endfor %}", "036147"),
                ("{% for vector in vectors_some_empty %}{% for j in vector %}{{ j }}{% endfor %}{% endfor %}", "036147"),
                ("{% for val in data %}{% if val == truthy %}on{% else %}off{% endif %}{% endfor %}", "offonoff"),
                ("{% for i in range(end=5) %}{{i}}{% endfor %}", "01234"),
                ("{% for i in range(end=5) | reverse %}{{i}}{% endfor %}", "43210"),
                ("{% for v in vectors %}{{ v.0 }}{% endfor %}", "01"),
                ("{% for a in [1, true, 1.1, 'hello'] %}{{a}}{% endfor %}", "1true1.1hello"),
                ("{% for a in [1, 2, 3] | slice(start=1) %}{{ a }}{% endfor %}", "23"),
                ("{% for c in word %}[{{ c }}]{% endfor %}", "[h][é][l][l][o]"),
                ("{% set start = 0 %}{% set end = start + 3 %}{% for i in range(start=start, end=end) %}{{ i }}{% endfor %}", "012"),
            ], loopContext)
    }

    /// Object iteration follows serde_json's default (sorted) key order, whatever the input order.
    func testObjectIterationIsSortedByKey() {
        let context = json(#"{"env": {"ZETA": "z", "ALPHA": "a", "beta": "b", "Beta": "B"}}"#)
        assertRenders("{% for k, v in env %}{{ k }}={{ v }};{% endfor %}", context, "ALPHA=a;Beta=B;ZETA=z;beta=b;")
    }

    func testNestedLoopVariablesAndParentAccess() {
        let context = json(#"{"groups": [{"name": "a", "items": [1, 2]}, {"name": "b", "items": [3]}]}"#)
        assertRenders(
            "{% for g in groups %}{% for i in g.items %}{{ g.name }}{{ loop.index }}/{{ i }} {% endfor %}{{ loop.index }};{% endfor %}",
            context, "a1/1 a2/2 1;b1/3 2;")
    }

    func testBreakAndContinue() {
        assertRendersAll(
            [
                ("{% for i in data %}{{ i }}{% if i == 2 %}{% break %}{% endif %}{% endfor %}", "12"),
                ("{% for i in data %}{% if i == 2 %}{% continue %}{% endif %}{{ i }}{% endfor %}", "13"),
                ("{% for v in vectors %}{% for i in v %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}{% endfor %}", "0147"),
                ("{% for v in vectors %}{% for i in v %}{% if i == 3 %}{% continue %}{% endif %}{{ i }}{% endfor %}{% endfor %}", "06147"),
            ], loopContext)
    }

    func testForElse() {
        assertRendersAll(
            [
                ("{% for a in [] %}{{a}}{% else %}hello{% endfor %}", "hello"),
                ("{% for a in undefined_variable | default(value=[]) %}{{a}}{% else %}hello{% endfor %}", "hello"),
                ("{% for a in [] %}{{a}}{% else %}{% if 1 == 2 %}A{% else %}B{% endif %}{% endfor %}", "B"),
                ("{% for a in data %}{{a}}{% else %}empty{% endfor %}", "123"),
            ], loopContext)
    }

    func testSetIsScopedToTheLoopIterationAndSetGlobalIsNot() {
        assertRendersAll(
            [
                ("{% set looped = 0 %}{% for i in range(end=5) %}{% set looped = i %}{{looped}}{% endfor%}{{looped}}", "012340"),
                (
                    "{% for i in tags %}{% set default = 1 %}{% set_global global_val = i %}{% endfor %}{{ default }}{{ global_val }}",
                    "default3"
                ),
                ("{% for i in data %}{% if i == 1 %}{% set seen = i %}{% endif %}{{ seen | default(value='-') }}{% endfor %}", "1--"),
                ("{% set_global top = 'x' %}{{ top }}", "x"),
            ], loopContext)
    }

    func testSetValues() {
        let context = json(#"{"my_var": "hey", "admin": true, "num": 1}"#)
        assertRendersAll(
            [
                ("{% set i = 1 %}{{ i }}", "1"),
                ("{% set i = 1 + 2 %}{{ i }}", "3"),
                ("{% set i = \"hey\" %}{{ i }}", "hey"),
                ("{% set i = my_var %}{{ i }}", "hey"),
                ("{% set i = my_var | upper %}{{ i }}", "HEY"),
                ("{% set i = range(end=3) %}{{ i }}", "[0, 1, 2]"),
                ("{% set i = admin or true %}{{ i }}", "true"),
                ("{% set i = admin and num > 0 %}{{ i }}", "true"),
                ("{% set i = 0 / 0 %}{{ i }}", "NaN"),
                ("{% set i = [1,2] %}{{ i }}", "[1, 2]"),
                ("{% set my_var = 'shadowed' %}{{ my_var }}", "shadowed"),
            ], context)
    }

    /// From Tera's tests: pushing to an array with `concat` and `set_global` in a loop.
    func testAccumulatingWithSetGlobal() {
        let template = """

            {%- set ids = [] -%}
            {% for i in range(end=5) -%}
            {%- set_global ids = ids | concat(with=i) -%}
            {%- endfor -%}
            {{ids}}
            """
        assertRenders(template, "[0, 1, 2, 3, 4]")
    }

    /// From Tera's tests: redefining a variable built from the loop value.
    func testSetInsideLoopFromLoopValue() {
        let template = """

            {%- set string = "abcdefghdijklm" | split(pat="d") -%}
            {% for i in string -%}
                {%- set j = i ~ "lol" ~ " " -%}
                {{ j }}
            {%- endfor -%}

            """
        assertRenders(template, "abclol efghlol ijklmlol ")
    }

    func testFilterSections() {
        assertRendersAll([
            ("{% filter upper %}Hello{% endfilter %}", "HELLO"),
            ("{% filter upper %}Hello{% if true %} world{% endif %}{% endfilter %}", "HELLO WORLD"),
            ("{% filter upper %}Hello {% for i in range(end=3) %}i{% endfor %}{% endfilter %}", "HELLO III"),
            (
                "{% filter upper %}Hello {% for i in range(end=3) %}{% if i == 1 %}{% break %} {% endif %}i{% endfor %}{% endfilter %}",
                "HELLO I"
            ),
            ("{% filter title %}Hello {% if true %}{{ 'world' | upper | safe }}{% endif %}{% endfilter %}", "Hello World"),
            ("{% filter safe %}{% filter upper %}<Hello>{% endfilter %}{% endfilter%}", "<HELLO>"),
            ("{% filter replace(from=\"a\", to=\"b\") %}banana{% endfilter %}", "bbnbnb"),
            ("{% filter indent(prefix=\"  \") %}a:\nb: 1{% endfilter %}", "a:\n  b: 1"),
        ])
    }

    func testRawBlocks() {
        assertRendersAll([
            ("{% raw %}hey{% endraw %}", "hey"),
            ("{% raw %}{{hey}}{% endraw %}", "{{hey}}"),
            ("{% raw %}{% if true %}{% endraw %}", "{% if true %}"),
            ("a{%raw%} {{ x }} {%endraw%}b", "a {{ x }} b"),
            ("{% raw %}${{ github.sha }}{% endraw %}", "${{ github.sha }}"),
        ])
    }

    func testComments() {
        assertRendersAll([
            ("Hello {# comment #}world", "Hello world"),
            ("Hello {# comment {# nested #}world", "Hello world"),
            ("My name {# was {{ name }} #}is No One.", "My name is No One."),
            ("{# multi\nline\ncomment #}x", "x"),
        ])
    }

    /// Literal braces that do not start a tag are plain text.
    func testBracesInText() {
        assertRendersAll([
            ("a { b } c", "a { b } c"),
            ("json: {\"a\": 1}", "json: {\"a\": 1}"),
            ("}} %} #}", "}} %} #}"),
            ("{", "{"),
        ])
    }
}
