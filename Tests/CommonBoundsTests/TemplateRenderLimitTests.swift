import Testing

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

@Suite struct TemplateRenderLimitTests {
    /// Size and iteration cases get a long time limit, so that a loaded machine reports the limit
    /// under test rather than the clock.
    private static let patient = TemplateLimits(renderTimeoutMilliseconds: 60_000)

    private func expectLimit(
        _ source: String, _ limitName: String, limits: TemplateLimits = patient,
        context: JSONValue = .object([:]),
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let (result, seconds) = onSmallStack { render(source, context, limits: limits) }
        #expect(result.message?.contains(limitName) == true, "\(result)", sourceLocation: sourceLocation)
        #expect(seconds < answersWithinSeconds, sourceLocation: sourceLocation)
    }

    @Test func hugeRangeFailsBeforeAllocating() {
        expectLimit("{% for i in range(end=100000000) %}{{ i }}{% endfor %}", "broker.template_max_iterations")
        expectLimit("{{ range(end=9223372036854775807) | length }}", "broker.template_max_iterations")
        #expect(render("{{ range(start=0, end=9223372036854775807, step_by=9223372036854775807) | length }}") == .success)
    }

    @Test func nestedLoopsCountIterationsTogether() {
        let source = "{% for i in range(end=1000) %}{% for j in range(end=1000) %}{% endfor %}{% endfor %}"
        expectLimit(source, "loop iteration limit of 100000")
    }

    @Test func iterationsInsideTheLimitRender() {
        let source = "{% for i in range(end=300) %}{% for j in range(end=300) %}{% endfor %}{% endfor %}done"
        #expect(render(source) == .success)
    }

    @Test func stringDoubledFortyTimesHitsTheSizeLimit() {
        let source = "{% set_global s = \"x\" %}{% for i in range(end=40) %}{% set_global s = s ~ s %}{% endfor %}{{ s | length }}"
        expectLimit(source, "broker.template_max_output_bytes")
    }

    @Test func arrayDoubledFortyTimesHitsTheSizeLimit() {
        let concat = "{% set_global a = [1] %}{% for i in range(end=40) %}{% set_global a = a | concat(with=a) %}{% endfor %}"
        expectLimit(concat, "broker.template_max_output_bytes")
        // Shared structure: each step is cheap to build but doubles what printing it would write.
        let nested = "{% set_global a = [1] %}{% for i in range(end=64) %}{% set_global a = [a, a] %}{% endfor %}{{ a }}"
        expectLimit(nested, "broker.template_max_output_bytes")
    }

    @Test func growingFiltersCheckTheirResultSize() {
        let big = "{% set s = \"" + String(repeating: "a", count: 10_000) + "\" %}"
        expectLimit(
            big + "{{ s | replace(from=\"a\", to=\"" + String(repeating: "b", count: 1_000) + "\") }}",
            "broker.template_max_output_bytes")
        expectLimit(
            big + "{{ s | replace(from=\"\", to=\"" + String(repeating: "b", count: 1_000) + "\") }}",
            "broker.template_max_output_bytes")
        // Template string literals have no escapes, so the newlines come from the context.
        expectLimit(
            "{{ lines | indent(prefix=\"" + String(repeating: " ", count: 1_000) + "\") }}",
            "broker.template_max_output_bytes",
            context: .object(["lines": .string(String(repeating: "a\n", count: 10_000))]))
        expectLimit(
            "{{ range(end=10000) | join(sep=\"" + String(repeating: "-", count: 1_000) + "\") }}",
            "broker.template_max_output_bytes")
        expectLimit(
            big + "{{ " + Array(repeating: "s", count: 1_000).joined(separator: " ~ ") + " }}",
            "broker.template_max_output_bytes")
    }

    @Test func outputSizeIsLimited() {
        let limits = TemplateLimits(maxOutputBytes: 1_000)
        expectLimit("{% for i in range(end=1000) %}xx{% endfor %}", "output size limit of 1000 bytes", limits: limits)
        #expect(render("{% for i in range(end=100) %}xx{% endfor %}", limits: limits) == .success)
    }

    @Test func renderTimeIsLimited() {
        let limits = TemplateLimits(maxIterations: .max, renderTimeoutMilliseconds: 50)
        let source = "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}"
        expectLimit(source, "render time limit of 50 ms", limits: limits)
    }

    @Test func limitErrorsAreRenderFailuresOfTheEngine() {
        #expect {
            _ = try StackTemplateEngine.render(
                content: "{% for i in range(end=100000000) %}{% endfor %}",
                parametersSchema: "{}", parameters: .object([:]))
        } throws: { error in
            guard case StackTemplateEngine.Failure.renderFailed(let message) = error else { return false }
            return message.contains("broker.template_max_iterations")
        }
        let limits = TemplateLimits(maxIterations: 10)
        #expect(throws: StackTemplateEngine.Failure.self) {
            _ = try StackTemplateEngine.render(
                content: "{% for i in range(end=20) %}{% endfor %}",
                parametersSchema: "{}", parameters: .object([:]), limits: limits)
        }
    }

    @Test func limitsComeFromSettings() throws {
        let settings = try Settings.load(environment: [
            "BROKKR__BROKER__TEMPLATE_MAX_ITERATIONS": "7",
            "BROKKR__BROKER__TEMPLATE_MAX_OUTPUT_BYTES": "1234",
            "BROKKR__BROKER__TEMPLATE_RENDER_TIMEOUT_MS": "50",
        ])
        let limits = TemplateLimits(settings.broker)
        #expect(limits.maxIterations == 7)
        #expect(limits.maxOutputBytes == 1234)
        #expect(limits.renderTimeoutMilliseconds == 50)
        let defaults = try Settings.load(environment: [:])
        #expect(TemplateLimits(defaults.broker) == TemplateLimits.default)
    }

    @Test func substringSearchIsLinear() {
        // A naive scan of "aaa…a" for "aa…ab" takes the product of the lengths.
        let haystack = String(repeating: "a", count: 200_000)
        let needle = String(repeating: "a", count: 100_000) + "b"
        let context: JSONValue = .object(["h": .string(haystack), "n": .string(needle)])
        let (result, seconds) = onSmallStack { render("{{ h | replace(from=n, to=\"x\") | length }}{{ n in h }}", context) }
        #expect(result == .success)
        #expect(seconds < answersWithinSeconds)
    }

    @Test func striptagsIsLinear() {
        let context: JSONValue = .object([
            "lt": .string(String(repeating: "<", count: 300_000)),
            "comments": .string(String(repeating: "<!--", count: 100_000)),
        ])
        let (result, seconds) = onSmallStack { render("{{ lt | striptags | length }}{{ comments | striptags | length }}", context) }
        #expect(result == .success)
        #expect(seconds < answersWithinSeconds)
        #expect(render("{{ \"a<!-- x -->b<i>c</i><!-- \n --> d <e\" | striptags }}") == .success)
    }

    @Test func striptagsKeepsItsMeaning() throws {
        let cases: [(String, String)] = [
            ("a<!-- hidden -->b<br/>c", "abc"), ("<b>Joel</b> <button>is</button>", "Joel is"),
            ("a<!-- \n -->b", "ab"), ("x<y", "x<y"), ("<!---->z", "z"), ("<!-->q", "q"), ("a<<b>c", "ac"),
        ]
        for (input, expected) in cases {
            let template = try TeraTemplate(source: "{{ v | striptags }}")
            #expect(try template.render(.object(["v": .string(input)])) == expected, "\(input.debugDescription)")
        }
    }
}
