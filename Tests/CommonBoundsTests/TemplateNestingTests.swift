import Testing

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

@Suite struct TemplateNestingTests {
    @Test func tenThousandNestedIfBlocksAreASyntaxError() {
        let source = String(repeating: "{% if true %}", count: 10_000) + "x" + String(repeating: "{% endif %}", count: 10_000)
        let (result, seconds) = onSmallStack { outcome { _ = try TeraTemplate(source: source) } }
        #expect(result.message?.contains("blocks nested too deeply") == true)
        #expect(seconds < answersWithinSeconds)
    }

    @Test func nestingErrorIsATemplateSyntaxErrorWithAPosition() throws {
        let source = String(repeating: "{% for i in [1] %}", count: 101) + String(repeating: "{% endfor %}", count: 101)
        let error = #expect(throws: TemplateSyntaxError.self) { try TeraTemplate(source: source) }
        #expect(error?.line == 1)
        #expect(error?.message.contains("at most 100") == true)
    }

    @Test func nestingAtTheLimitParsesAndRendersOnASmallStack() {
        let depth = TemplateLimits.default.maxBlockDepth
        let source =
            String(repeating: "{% if true %}{% for i in [1] %}{% filter upper %}", count: depth / 3)
            + "x" + String(repeating: "{% endfilter %}{% endfor %}{% endif %}", count: depth / 3)
        let (result, _) = onSmallStack { render(source) }
        #expect(result == .success)
    }

    @Test func engineReportsNestingAsInvalidTemplate() {
        let source = String(repeating: "{% if true %}", count: 500) + String(repeating: "{% endif %}", count: 500)
        #expect {
            try StackTemplateEngine.validate(content: source, parametersSchema: "{}")
        } throws: { error in
            guard case StackTemplateEngine.Failure.invalidTemplate(let message) = error else { return false }
            return message.contains("nested too deeply")
        }
    }

    @Test(arguments: [
        ("parentheses", String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)),
        ("operator chain", Array(repeating: "1", count: 100_000).joined(separator: " + ")),
        ("logic chain", Array(repeating: "true", count: 50_000).joined(separator: " and ")),
        ("function calls", String(repeating: "range(end=", count: 5_000) + "1" + String(repeating: ")", count: 5_000)),
        ("filter arguments", "x" + String(repeating: " | default(value=x", count: 5_000) + String(repeating: ")", count: 5_000)),
        ("arrays in containment", String(repeating: "1 in [", count: 5_000) + "1" + String(repeating: "]", count: 5_000)),
        ("subscripts", "a" + String(repeating: "[a", count: 5_000) + String(repeating: "]", count: 5_000)),
    ])
    func deepExpressionsAreSyntaxErrors(_ name: String, _ expression: String) {
        let source = "{{ " + expression + " }}"
        let (result, seconds) = onSmallStack { outcome { _ = try TeraTemplate(source: source) } }
        #expect(result.message?.contains("too deeply") == true, "\(name): \(result)")
        #expect(seconds < answersWithinSeconds, "\(name)")
    }

    @Test func expressionAtTheLimitRendersOnASmallStack() {
        let depth = TemplateLimits.default.maxExpressionDepth - 4
        let source = "{{ " + String(repeating: "(", count: depth) + "1" + String(repeating: " + 1)", count: depth) + " }}"
        let (result, _) = onSmallStack { render(source) }
        #expect(result == .success)
        let chain = "{{ " + Array(repeating: "1", count: depth).joined(separator: " + ") + " }}"
        #expect(onSmallStack { render(chain) }.0 == .success)
    }
}
