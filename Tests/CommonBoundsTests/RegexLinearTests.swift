import Testing

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

@Suite struct RegexLinearTests {
    private func matches(_ pattern: String, _ input: String) throws -> Bool {
        try RegexPattern(ecmaPattern: pattern).matches(input)
    }

    @Test func catastrophicBacktrackingPatternAnswersQuickly() throws {
        let pattern = try RegexPattern(ecmaPattern: "(x+x+)+y")
        #expect(pattern.isLinear)
        let input = String(repeating: "x", count: 40)
        let (result, seconds) = onSmallStack { try? pattern.matches(input) }
        #expect(result == false)
        #expect(seconds < 1)
        #expect(try pattern.matches(input + "y"))
    }

    @Test func schemaWithCatastrophicPatternAnswers() throws {
        let validator = try JSONSchemaValidator(schema: .object(["pattern": .string("^(a|a)*$")]))
        let (valid, seconds) = onSmallStack { validator.isValid(.string(String(repeating: "a", count: 5_000) + "b")) }
        #expect(!valid)
        #expect(seconds < answersWithinSeconds)
    }

    @Test(arguments: [
        ("^a*$", "aaa", true), ("^a*$", "aab", false), ("a+", "xxa", true), ("^abc$", "abc\n", false),
        ("^\\d+$", "0123", true), ("^\\d$", "\u{0660}", false), ("^\\w$", "é", false), ("^\\W$", "é", true),
        ("^\\s$", "\u{FEFF}", true), ("^\\S$", "\u{FEFF}", false), ("^\\p{Letter}+$", "héllo", true),
        ("^\\p{digit}+$", "\u{0660}\u{0661}", true), ("\\p{Letter}cole", "école", true), ("^\\cC$", "\u{03}", true),
        ("^🐲*$", "🐲🐲", true), ("^.$", "🐲", true), ("^.$", "\n", false), ("^[^]$", "\n", true), ("[]", "a", false),
        ("\\bfoo\\b", "a foo b", true), ("\\bfoo\\b", "afoob", false), ("\\Bfoo", "afoo", true),
        ("^a{2,3}$", "aaaa", false), ("^a{2,3}$", "aaa", true), ("^a{2,}$", "aaaaa", true), ("x{", "x{", true),
        ("^(?:ab|cd)+$", "abcdab", true), ("^(?<n>a)b$", "ab", true), ("[a-c]+", "zzb", true), ("^[\\d-]+$", "1-2", true),
        ("^\\u0041\\x42\\u{43}$", "ABC", true), ("^[\\uD83D\\uDC32]$", "🐲", true), ("]", "]", true), ("^\\/$", "/", true),
        ("^(a|)+$", "aaa", true), ("^(a*)*$", "b", false),
    ])
    func linearMatcherFollowsECMA(_ pattern: String, _ input: String, _ expected: Bool) throws {
        #expect(try matches(pattern, input) == expected, "\(pattern) on \(input.debugDescription)")
    }

    @Test func patternsNeedingBacktrackingUseTheBoundedFallback() throws {
        let backreference = try RegexPattern(ecmaPattern: "^(a+)\\1$")
        #expect(!backreference.isLinear)
        #expect(try backreference.matches("aaaa"))
        #expect(try !backreference.matches("aaa"))
        let lookahead = try RegexPattern(ecmaPattern: "^(?=.*x)(x+x+)+y")
        #expect(!lookahead.isLinear)
        let (result, seconds) = onSmallStack { () -> String in
            do {
                return "matched: \(try lookahead.matches(String(repeating: "x", count: 40)))"
            } catch {
                return "\(error)"
            }
        }
        #expect(result.contains("exceeded its matching budget"))
        #expect(seconds < answersWithinSeconds)
    }

    @Test func budgetExceededInASchemaIsAViolation() throws {
        let validator = try JSONSchemaValidator(schema: .object(["pattern": .string("^(?=x)(x+x+)+y")]))
        let violations = validator.validate(.string(String(repeating: "x", count: 40)))
        #expect(violations.count == 1)
        #expect(violations.first?.message.contains("matching budget") == true)
    }
}
