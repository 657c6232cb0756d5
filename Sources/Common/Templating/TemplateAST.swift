import BrokkrCommon
import BrokkrJSONSchema

// The parsed form of a template. It mirrors Tera's AST closely because several observable Tera
// behaviours (where `not` and filters attach, when `default` applies) depend on its exact shape.

/// Whitespace control markers of a tag: `left` for `{%-`/`{{-`/`{#-`, `right` for `-%}`/`-}}`/`-#}`.
struct TagWhitespace: Sendable, Equatable {
    var left = false
    var right = false
}

/// One step of a variable access after the root name.
enum PathSegment: Sendable, Equatable {
    /// `.name`, `.0`, `[0]`, `["name"]`: a key (objects) or an index (arrays), fixed at parse time.
    /// `evaluatedForm` is how Tera spells it in "the evaluated version was ..." messages.
    case key(String, evaluatedForm: String)
    /// `[other.variable]`: the key is the value of another variable.
    case variable(VariablePath)
}

/// `a.b[0]["c"][d]` as written in the template.
struct VariablePath: Sendable, Equatable {
    var root: String
    var segments: [PathSegment]
    /// The source text, used in error messages (`Variable `a.b` not found ...`).
    var text: String

    var hasSubscript: Bool { text.contains("[") }
}

enum MathOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"

    var precedence: Int {
        switch self {
        case .add, .subtract: return 1
        case .multiply, .divide, .modulo: return 2
        }
    }
}

enum LogicOperator: String, Sendable {
    case and, or
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
}

/// A filter application (`| name(arg=value)`) or a function call (`name(arg=value)`).
struct CallExpression: Sendable {
    var name: String
    /// Keyword arguments in source order; a repeated name keeps the last value, as in Tera.
    var arguments: [(name: String, value: Expression)]
    var location: SourceLocation

    var depth: Int { 1 + (arguments.map(\.value.depth).max() ?? 0) }
}

/// `x is name(args)` / `x is not name(args)`. Tests only apply to variables, as in Tera.
struct TestExpression: Sendable {
    var subject: VariablePath
    var negated: Bool
    var name: String
    var arguments: [Expression]
}

/// A piece of a `~` concatenation.
enum ConcatPart: Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case variable(VariablePath)
    case functionCall(CallExpression)
}

indirect enum ExpressionValue: Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    case variable(VariablePath)
    case math(Expression, MathOperator, Expression)
    case logic(Expression, LogicOperator, Expression)
    case test(TestExpression)
    case functionCall(CallExpression)
    case array([Expression])
    case concat([ConcatPart])
    case contains(needle: Expression, haystack: Expression, negated: Bool)

    /// The greatest depth among the expressions this value contains.
    var childDepth: Int {
        switch self {
        case .string, .integer, .float, .bool, .variable: return 0
        case .math(let lhs, _, let rhs), .logic(let lhs, _, let rhs): return max(lhs.depth, rhs.depth)
        case .contains(let needle, let haystack, _): return max(needle.depth, haystack.depth)
        case .test(let test): return test.arguments.map(\.depth).max() ?? 0
        case .functionCall(let call): return call.depth
        case .array(let elements): return elements.map(\.depth).max() ?? 0
        case .concat(let parts):
            return parts.map { part -> Int in
                if case .functionCall(let call) = part { return call.depth }
                return 0
            }.max() ?? 0
        }
    }
}

/// A value with an optional `not` and a chain of filters, like Tera's `Expr`.
struct Expression: Sendable {
    var value: ExpressionValue
    var negated = false
    var filters: [CallExpression] = []
    /// Height of this expression's tree, kept so the parser can refuse trees the renderer's
    /// recursion could not walk (operator chains grow it without nesting in the source).
    let depth: Int

    init(_ value: ExpressionValue, negated: Bool = false, filters: [CallExpression] = []) {
        self.value = value
        self.negated = negated
        self.filters = filters
        depth = 1 + max(value.childDepth, filters.map(\.depth).max() ?? 0)
    }

    /// Tera only honours `default` when it is the first filter of a variable.
    var startsWithDefaultFilter: Bool { filters.first?.name == "default" }
}

struct ForLoopNode: Sendable {
    var keyName: String?
    var valueName: String
    var container: Expression
    var body: [TemplateNode]
    /// The `{% else %}` body, rendered when the container is empty.
    var emptyBody: [TemplateNode]?
    var line: Int
}

struct IfBranch: Sendable {
    var whitespace: TagWhitespace
    var condition: Expression
    var body: [TemplateNode]
    var line: Int
}

struct IfNode: Sendable {
    var branches: [IfBranch]
    var otherwise: (whitespace: TagWhitespace, body: [TemplateNode])?
}

struct FilterSectionNode: Sendable {
    var filter: CallExpression
    var body: [TemplateNode]
    var line: Int
}

struct SetNode: Sendable {
    var name: String
    var value: Expression
    var global: Bool
    var line: Int
}

indirect enum TemplateNode: Sendable {
    case text(String)
    case variable(TagWhitespace, Expression, line: Int)
    case set(TagWhitespace, SetNode)
    case breakLoop(TagWhitespace, line: Int)
    case continueLoop(TagWhitespace, line: Int)
    case comment(TagWhitespace)
    case raw(start: TagWhitespace, String, end: TagWhitespace)
    case forLoop(start: TagWhitespace, ForLoopNode, end: TagWhitespace)
    case filterSection(start: TagWhitespace, FilterSectionNode, end: TagWhitespace)
    case ifBlock(IfNode, end: TagWhitespace)
}
