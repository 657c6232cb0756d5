import Testing

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

@Suite struct YAMLBoundsTests {
    /// Nine levels of ten aliases each: 10⁹ strings from a few hundred bytes.
    static let billionLaughs: String = {
        var lines = ["a0: &a0 \"lol\""]
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(refs)]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    private func expectRejected(
        _ yaml: String, _ fragment: String, limits: YAMLLimits = .default,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let (result, seconds) = onSmallStack { outcome { _ = try YAMLDocuments.parse(yaml, limits: limits) } }
        #expect(result.message?.contains(fragment) == true, "\(result)", sourceLocation: sourceLocation)
        #expect(seconds < answersWithinSeconds, sourceLocation: sourceLocation)
    }

    @Test func billionLaughsIsRejected() {
        expectRejected(Self.billionLaughs, "aliases expand to more than 100000 nodes")
        #expect(YAMLDocuments.problem(in: Self.billionLaughs)?.contains("aliases") == true)
    }

    @Test func aliasBombAsAMappingKeyIsRejected() {
        // Composing hashes mapping keys, which would expand the alias; the scan comes first.
        expectRejected(Self.billionLaughs + "? *a9\n: 1\n", "aliases expand")
    }

    @Test func aliasesCountTheirExpandedDepth() {
        var lines = ["x0: &x0 [1]"]
        for level in 1...60 { lines.append("x\(level): &x\(level) [*x\(level - 1)]") }
        expectRejected(lines.joined(separator: "\n"), "nesting exceeds the limit of 50", limits: YAMLLimits(maxDepth: 50))
    }

    @Test func deepNestingIsRejected() {
        // libyaml's own nesting limit (1000) may stop its look-ahead first; either way it is refused.
        expectRejected(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000), "nesting")
        expectRejected(String(repeating: "- ", count: 500) + "x\n", "nesting")
        expectRejected(String(repeating: "[", count: 101) + String(repeating: "]", count: 101), "nesting exceeds the limit of 100")
    }

    @Test func sizeIsLimited() {
        expectRejected(
            "a: " + String(repeating: "b", count: 2_000) + "\n", "exceeds the limit of 1000 bytes",
            limits: YAMLLimits(maxBytes: 1_000))
    }

    @Test func ordinaryManifestsWithAliasesStillParse() throws {
        let yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              labels: &labels {app: web, tier: front}
            spec:
              selector: {matchLabels: *labels}
              template:
                metadata: {labels: *labels}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: web}
            """
        let documents = try YAMLDocuments.parse(yaml)
        #expect(documents.count == 2)
        #expect(documents[0]["spec"]?["selector"]?["matchLabels"]?["app"] == .string("web"))
    }

    @Test func syntaxErrorsKeepTheParserMessage() {
        #expect(YAMLDocuments.problem(in: "a: [1, 2\nb: c")?.isEmpty == false)
        #expect(YAMLDocuments.problem(in: "a: *undefined\n")?.contains("undefined") == true)
    }
}
