import BrokkrCommon
import Foundation

/// A compiled `pattern` / `patternProperties` regular expression (ECMA-262 syntax).
///
/// Matching must not let a schema author stall the validator, so patterns run on a linear-time
/// Pike VM. Only what that cannot express (backreferences, lookaround, uncommon `\p{…}` names,
/// very large counted repetitions) runs on ICU's backtracking matcher, with a work budget: past it
/// `matches` throws instead of running on.
struct RegexPattern: Sendable {
    let source: String
    private let program: PikeProgram?
    /// Also compiled for linear patterns: ICU decides which patterns are valid, as it always has.
    private let icu: NSRegularExpression

    /// Pike VM thread steps per match: far more than any pattern needs on a property name or a
    /// parameter value, far less than a second of work.
    static let linearStepBudget = 20_000_000
    /// ICU progress callbacks per match; ICU calls back every few thousand backtracking steps.
    static let fallbackProgressBudget = 200

    struct BudgetExceeded: Error, CustomStringConvertible {
        let pattern: String
        var description: String {
            "the regular expression \(JSONValue.string(pattern).serialized()) exceeded its matching budget (backtracking)"
        }
    }

    init(ecmaPattern: String) throws {
        source = ecmaPattern
        do {
            icu = try NSRegularExpression(pattern: ECMARegexTranslator.icuPattern(fromECMA: ecmaPattern))
        } catch {
            throw SchemaCompilationError(message: "invalid regular expression \(JSONValue.string(ecmaPattern).serialized())")
        }
        program = RegexSyntaxParser.parse(ecmaPattern).flatMap(PikeProgram.init)
    }

    /// Whether this pattern runs on the linear-time matcher.
    var isLinear: Bool { program != nil }

    /// ECMA-262 `test` semantics: true when the pattern matches anywhere (patterns are not anchored).
    func matches(_ string: String) throws(BudgetExceeded) -> Bool {
        if let program {
            do {
                return try program.matches(string.unicodeScalars.map(\.value), budget: Self.linearStepBudget)
            } catch {
                throw BudgetExceeded(pattern: source)
            }
        }
        return try boundedICUMatch(string)
    }

    private func boundedICUMatch(_ string: String) throws(BudgetExceeded) -> Bool {
        var found = false
        var callbacks = 0
        let range = NSRange(string.startIndex..<string.endIndex, in: string)
        icu.enumerateMatches(in: string, options: [.reportProgress], range: range) { match, _, stop in
            if match != nil {
                found = true
                stop.pointee = true
                return
            }
            callbacks += 1
            if callbacks > Self.fallbackProgressBudget { stop.pointee = true }
        }
        if !found, callbacks > Self.fallbackProgressBudget { throw BudgetExceeded(pattern: source) }
        return found
    }
}
