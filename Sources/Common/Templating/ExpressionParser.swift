import BrokkrCommon
import BrokkrJSONSchema

// Parses the tokens of one tag into expressions, following Tera 1.x's pest grammar rule by rule
// (ordered choice, backtracking), because its shape decides observable behaviour:
//
//   logic_expr      = logic_val ((or | and) logic_val)*            `and` binds tighter than `or`
//   logic_val       = not? (in_cond | comparison_expr) | "(" logic_expr ")"
//   in_cond         = (string_expr_filter | basic_expr_filter) not? "in" (string_expr_filter | array_filter | ident)
//   comparison_expr = operand (comparison_op operand)?             at most one comparison
//   operand         = string_expr_filter | comparison_val
//   comparison_val  = basic_expr_filter (math_op basic_expr_filter)*
//   basic_expr_filter = basic_expr filter*                         `1 + a | f` filters `(1 + a)`
//   basic_expr      = ("(" basic_expr ")" | basic_val) (math_op ...)*
//   basic_val       = bool | test | fn_call | ident | float | int  (no strings: `"a" + 1` is invalid)
//   string_expr_filter = (string_concat | string) filter*
//   array_filter    = "[" (logic_val ",")* logic_val? "]" filter*

struct ExpressionParser {
    private let tokens: [Token]
    private(set) var index = 0

    // Error reporting: the furthest token any alternative failed at, and what was expected there.
    private var furthestIndex = 0
    private var expectations: [String] = []

    // Packrat memo for rules that alternatives re-parse from the same position.
    private var basicMemo: [Int: (Expression?, Int)] = [:]
    private var stringMemo: [Int: (Expression?, Int)] = [:]

    /// Deepest expression accepted, both as parser recursion and as the height of the tree built.
    private let maxDepth: Int
    private var nesting = 0

    init(tokens: [Token], maxDepth: Int = TemplateLimits.default.maxExpressionDepth) {
        self.tokens = tokens
        self.maxDepth = maxDepth
    }

    // MARK: - Entry points (each one requires the tag's end afterwards)

    /// `{{ logic_expr | array_filter }}`
    mutating func parseOutputExpression() throws -> Expression {
        let expression = try parseLogicExpression() ?? parseArrayWithFilters()
        return try finish(expression)
    }

    /// `{% if logic_expr %}` / `{% elif logic_expr %}`
    mutating func parseCondition() throws -> Expression {
        try finish(parseLogicExpression())
    }

    /// The value of `{% set x = ... %}`.
    mutating func parseAssignedValue() throws -> Expression {
        let expression = try parseLogicExpression() ?? parseArrayWithFilters()
        return try finish(expression)
    }

    /// The container of `{% for x in ... %}`: a variable, function call or array, with filters.
    mutating func parseLoopContainer() throws -> Expression {
        let expression = try parseBasicExpressionWithFilters() ?? parseArrayWithFilters()
        return try finish(expression)
    }

    /// The filter of `{% filter name(args) %}`.
    mutating func parseFilterSectionCall() throws -> CallExpression {
        guard case .word(let name) = current.kind else {
            expect("a filter name")
            throw syntaxError()
        }
        let nameToken = current
        index += 1
        var arguments: [(name: String, value: Expression)] = []
        if isSymbol("(") {
            index += 1
            guard let parsed = try parseArgumentsAndClose() else { throw syntaxError() }
            arguments = parsed
        }
        try BuiltinFilters.validateName(name, at: nameToken.location)
        try expectEnd()
        return CallExpression(name: name, arguments: arguments, location: nameToken.location)
    }

    /// A plain identifier such as a loop or `set` variable name.
    mutating func parseIdentifier(_ what: String) throws -> String {
        guard case .word(let name) = current.kind else {
            expect(what)
            throw syntaxError()
        }
        index += 1
        return name
    }

    mutating func parseKeyword(_ word: String) throws {
        guard case .word(word) = current.kind else {
            expect("`\(word)`")
            throw syntaxError()
        }
        index += 1
    }

    mutating func consumeSymbol(_ symbol: String) -> Bool {
        guard isSymbol(symbol) else { return false }
        index += 1
        return true
    }

    mutating func expectSymbol(_ symbol: String) throws {
        guard consumeSymbol(symbol) else {
            expect("`\(symbol)`")
            throw syntaxError()
        }
    }

    mutating func expectEnd() throws {
        guard case .end = current.kind else {
            expect("`\(closer)`")
            throw syntaxError()
        }
    }

    // MARK: - Token helpers

    private var current: Token { tokens[index] }

    /// The tag closer without whitespace control, for messages.
    private var closer: String {
        guard case .end(let text) = tokens[tokens.count - 1].kind else { return "%}" }
        return text.hasPrefix("-") ? String(text.dropFirst()) : text
    }

    private func isSymbol(_ symbol: String, at position: Int? = nil) -> Bool {
        let i = position ?? index
        guard i < tokens.count, case .symbol(let s) = tokens[i].kind else { return false }
        return s == symbol
    }

    private func isWord(_ word: String, at position: Int? = nil) -> Bool {
        let i = position ?? index
        guard i < tokens.count, case .word(let w) = tokens[i].kind else { return false }
        return w == word
    }

    /// `not`, `and`, `or` are operators only when followed by whitespace (`not_done` is a name).
    private func isOperatorWord(_ word: String) -> Bool {
        isWord(word) && index + 1 < tokens.count && tokens[index + 1].spaceBefore
    }

    private func path(at i: Int) -> VariablePath? {
        switch tokens[i].kind {
        case .word(let w): return VariablePath(root: w, segments: [], text: w)
        case .path(let p): return p
        default: return nil
        }
    }

    private mutating func expect(_ what: String) {
        if index > furthestIndex {
            furthestIndex = index
            expectations = [what]
        } else if index == furthestIndex, !expectations.contains(what) {
            expectations.append(what)
        }
    }

    private mutating func finish(_ expression: Expression?) throws -> Expression {
        guard let expression else { throw syntaxError() }
        try checkDepth(expression)
        try expectEnd()
        return expression
    }

    /// Counts one level of parser recursion; every recursive path of the grammar passes through a
    /// rule that calls this, so the parser's stack use is bounded whatever the input.
    private mutating func enterNested() throws {
        nesting += 1
        guard nesting <= maxDepth else { throw tooDeep() }
    }

    private func checkDepth(_ expression: Expression) throws {
        guard expression.depth <= maxDepth else { throw tooDeep() }
    }

    private func tooDeep() -> TemplateSyntaxError {
        TemplateSyntaxError(
            "expression nested too deeply: at most \(maxDepth) levels of parentheses, calls, arrays and chained operators are allowed",
            at: tokens[min(index, tokens.count - 1)].location)
    }

    func syntaxError() -> TemplateSyntaxError {
        let token = tokens[min(furthestIndex, tokens.count - 1)]
        var message = "unexpected `\(token.display)`"
        if !expectations.isEmpty {
            let list: String
            if expectations.count == 1 {
                list = expectations[0]
            } else {
                list = expectations.dropLast().joined(separator: ", ") + " or " + expectations[expectations.count - 1]
            }
            message += ": expected \(list)"
        }
        return TemplateSyntaxError(message, at: token.location)
    }

    // MARK: - Logic

    private mutating func parseLogicExpression() throws -> Expression? {
        guard let first = try parseLogicValue() else { return nil }
        var operands = [first]
        var operators: [LogicOperator] = []
        while true {
            let save = index
            let op: LogicOperator
            if isOperatorWord("or") { op = .or } else if isOperatorWord("and") { op = .and } else { break }
            index += 1
            guard let next = try parseLogicValue() else {
                index = save
                break
            }
            operands.append(next)
            operators.append(op)
        }
        return try combine(operands, operators, precedence: { $0 == .and ? 2 : 1 }) {
            Expression(.logic($0, $1, $2))
        }
    }

    private mutating func parseLogicValue() throws -> Expression? {
        try enterNested()
        defer { nesting -= 1 }
        let start = index
        var negated = false
        if isOperatorWord("not") {
            index += 1
            negated = true
        }
        if var expression = try parseInCondition() ?? parseComparisonExpression() {
            expression.negated = negated
            return expression
        }
        index = start
        if consumeSymbol("(") {
            if var expression = try parseLogicExpression() {
                if consumeSymbol(")") {
                    // Tera resets the negation of a parenthesised expression, so `(not a)` reads as `a`.
                    expression.negated = false
                    return expression
                }
                expect("`)`")
            }
        }
        index = start
        return nil
    }

    private mutating func parseInCondition() throws -> Expression? {
        let start = index
        guard let needle = try parseStringExpressionWithFilters() ?? parseBasicExpressionWithFilters() else {
            index = start
            return nil
        }
        var negated = false
        if isOperatorWord("not") {
            index += 1
            negated = true
        }
        guard isWord("in") else {
            index = start
            return nil
        }
        index += 1
        guard let haystack = try parseInContainer() else {
            index = start
            return nil
        }
        return Expression(.contains(needle: needle, haystack: haystack, negated: negated))
    }

    private mutating func parseInContainer() throws -> Expression? {
        if let expression = try parseStringExpressionWithFilters() { return expression }
        if let expression = try parseArrayWithFilters() { return expression }
        if let variable = path(at: index) {
            index += 1
            return Expression(.variable(variable))
        }
        expect("a string, an array or a variable")
        return nil
    }

    // MARK: - Comparisons and math

    private mutating func parseComparisonExpression() throws -> Expression? {
        guard let lhs = try parseComparisonOperand() else { return nil }
        if case .symbol(let symbol) = current.kind, let op = Self.comparisonOperators[symbol] {
            let save = index
            index += 1
            if let rhs = try parseComparisonOperand() {
                return Expression(.logic(lhs, op, rhs))
            }
            index = save
        }
        return lhs
    }

    private static let comparisonOperators: [String: LogicOperator] = [
        "==": .equal, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual,
    ]

    private static let mathOperators: [String: MathOperator] = [
        "+": .add, "-": .subtract, "*": .multiply, "/": .divide, "%": .modulo,
    ]

    private var mathOperatorHere: MathOperator? {
        guard case .symbol(let symbol) = current.kind else { return nil }
        return Self.mathOperators[symbol]
    }

    private mutating func parseComparisonOperand() throws -> Expression? {
        try parseStringExpressionWithFilters() ?? parseComparisonValue()
    }

    private mutating func parseComparisonValue() throws -> Expression? {
        guard let first = try parseBasicExpressionWithFilters() else { return nil }
        var operands = [first]
        var operators: [MathOperator] = []
        while let op = mathOperatorHere {
            let save = index
            index += 1
            guard let next = try parseBasicExpressionWithFilters() else {
                index = save
                break
            }
            operands.append(next)
            operators.append(op)
        }
        return try combine(operands, operators, precedence: \.precedence) { Expression(.math($0, $1, $2)) }
    }

    private mutating func parseBasicExpressionWithFilters() throws -> Expression? {
        let start = index
        if let (memo, end) = basicMemo[start] {
            index = end
            return memo
        }
        var result: Expression?
        if let value = try parseBasicExpression() {
            result = Expression(value, filters: try parseFilters())
        } else {
            index = start
        }
        basicMemo[start] = (result, index)
        return result
    }

    private mutating func parseBasicExpression() throws -> ExpressionValue? {
        try enterNested()
        defer { nesting -= 1 }
        guard let first = try parseBasicOperand() else { return nil }
        var operands = [Expression(first)]
        var operators: [MathOperator] = []
        while let op = mathOperatorHere {
            let save = index
            index += 1
            guard let next = try parseBasicOperand() else {
                index = save
                break
            }
            operands.append(Expression(next))
            operators.append(op)
        }
        return try combine(operands, operators, precedence: \.precedence) { Expression(.math($0, $1, $2)) }.value
    }

    private mutating func parseBasicOperand() throws -> ExpressionValue? {
        let start = index
        if consumeSymbol("(") {
            if let inner = try parseBasicExpression() {
                if consumeSymbol(")") { return inner }
                expect("`)`")
            }
            index = start
        }
        return try parseBasicValue()
    }

    private mutating func parseBasicValue() throws -> ExpressionValue? {
        if case .word(let word) = current.kind, let value = Self.booleans[word] {
            index += 1
            return .bool(value)
        }
        if let test = try parseTest() { return .test(test) }
        if case .word(let name) = current.kind {
            if isSymbol("::", at: index + 1) {
                throw TemplateSyntaxError(
                    "macros are not supported: one-off templates cannot import macros (`\(name)::...`)",
                    at: current.location)
            }
            if isSymbol("(", at: index + 1), let call = try parseFunctionCall() {
                return .functionCall(call)
            }
        }
        if let variable = path(at: index) {
            index += 1
            return .variable(variable)
        }
        if let number = try parseNumber() { return number }
        expect("a value")
        return nil
    }

    private static let booleans: [String: Bool] = ["true": true, "True": true, "false": false, "False": false]

    /// An integer or float literal, with a `-` written right before it.
    private mutating func parseNumber() throws -> ExpressionValue? {
        var i = index
        var sign = ""
        if isSymbol("-"), i + 1 < tokens.count, !tokens[i + 1].spaceBefore {
            sign = "-"
            i += 1
        }
        switch tokens[i].kind {
        case .integer(let digits):
            guard let value = Int64(sign + digits) else {
                throw TemplateSyntaxError("Integer out of bounds: `\(sign + digits)`", at: tokens[index].location)
            }
            index = i + 1
            return .integer(value)
        case .float(let text):
            guard let value = Double(sign + text), value.isFinite else {
                throw TemplateSyntaxError("Float out of bounds: `\(sign + text)`", at: tokens[index].location)
            }
            index = i + 1
            return .float(value)
        default:
            return nil
        }
    }

    // MARK: - Strings and arrays

    private mutating func parseStringExpressionWithFilters() throws -> Expression? {
        let start = index
        if let (memo, end) = stringMemo[start] {
            index = end
            return memo
        }
        var value = try parseStringConcat()
        if value == nil, case .string(let s) = current.kind {
            index += 1
            value = .string(s)
        }
        var result: Expression?
        if let value {
            result = Expression(value, filters: try parseFilters())
        } else {
            index = start
        }
        stringMemo[start] = (result, index)
        return result
    }

    private mutating func parseStringConcat() throws -> ExpressionValue? {
        let start = index
        guard let first = try parseConcatPart() else { return nil }
        var parts = [first]
        while isSymbol("~") {
            let save = index
            index += 1
            guard let part = try parseConcatPart() else {
                index = save
                break
            }
            parts.append(part)
        }
        guard parts.count > 1 else {
            index = start
            return nil
        }
        // Adjacent string literals are folded together, as Tera does.
        var folded: [ConcatPart] = []
        var pending = ""
        for part in parts {
            if case .string(let s) = part {
                pending += s
                continue
            }
            if !pending.isEmpty {
                folded.append(.string(pending))
                pending = ""
            }
            folded.append(part)
        }
        if folded.isEmpty { return .string(pending) }
        if !pending.isEmpty { folded.append(.string(pending)) }
        return .concat(folded)
    }

    private mutating func parseConcatPart() throws -> ConcatPart? {
        if case .word = current.kind, isSymbol("(", at: index + 1), let call = try parseFunctionCall() {
            return .functionCall(call)
        }
        if let number = try parseNumber() {
            switch number {
            case .integer(let i): return .integer(i)
            case .float(let d): return .float(d)
            default: return nil
            }
        }
        if case .string(let s) = current.kind {
            index += 1
            return .string(s)
        }
        if let variable = path(at: index) {
            index += 1
            return .variable(variable)
        }
        expect("a value")
        return nil
    }

    private mutating func parseArrayWithFilters() throws -> Expression? {
        guard let array = try parseArrayLiteral() else { return nil }
        return Expression(array, filters: try parseFilters())
    }

    private mutating func parseArrayLiteral() throws -> ExpressionValue? {
        let start = index
        guard consumeSymbol("[") else { return nil }
        var elements: [Expression] = []
        while true {
            if consumeSymbol("]") { return .array(elements) }
            guard let element = try parseLogicValue() else {
                index = start
                return nil
            }
            elements.append(element)
            if consumeSymbol(",") { continue }
            if consumeSymbol("]") { return .array(elements) }
            expect("`,` or `]`")
            index = start
            return nil
        }
    }

    // MARK: - Calls, filters, tests

    private mutating func parseFunctionCall() throws -> CallExpression? {
        let start = index
        guard case .word(let name) = current.kind else { return nil }
        let location = current.location
        index += 1
        guard consumeSymbol("("), let arguments = try parseArgumentsAndClose() else {
            index = start
            return nil
        }
        try BuiltinFunctions.validateName(name, at: location)
        return CallExpression(name: name, arguments: arguments, location: location)
    }

    /// `name=value, ...` up to and including `)`; a trailing comma is allowed.
    private mutating func parseArgumentsAndClose() throws -> [(name: String, value: Expression)]? {
        var arguments: [(name: String, value: Expression)] = []
        if consumeSymbol(")") { return arguments }
        while true {
            guard case .word(let name) = current.kind else {
                expect("an argument name")
                return nil
            }
            index += 1
            guard consumeSymbol("=") else {
                expect("`=`")
                return nil
            }
            guard let value = try parseLogicExpression() ?? parseArrayWithFilters() else { return nil }
            arguments.append((name: name, value: value))
            if consumeSymbol(",") {
                if consumeSymbol(")") { return arguments }
                continue
            }
            if consumeSymbol(")") { return arguments }
            expect("`,` or `)`")
            return nil
        }
    }

    private mutating func parseFilters() throws -> [CallExpression] {
        var filters: [CallExpression] = []
        while isSymbol("|") {
            let save = index
            index += 1
            guard case .word(let name) = current.kind else {
                expect("a filter name")
                index = save
                break
            }
            let location = current.location
            index += 1
            var arguments: [(name: String, value: Expression)] = []
            if consumeSymbol("(") {
                guard let parsed = try parseArgumentsAndClose() else {
                    index = save
                    break
                }
                arguments = parsed
            }
            try BuiltinFilters.validateName(name, at: location)
            filters.append(CallExpression(name: name, arguments: arguments, location: location))
        }
        return filters
    }

    /// `variable is [not] name` or `variable is [not] name(arg, ...)`.
    private mutating func parseTest() throws -> TestExpression? {
        guard let subject = path(at: index), isWord("is", at: index + 1) else { return nil }
        let start = index
        index += 2
        var negated = false
        if isWord("not"), index + 1 < tokens.count, case .word = tokens[index + 1].kind {
            negated = true
            index += 1
        }
        guard case .word(let name) = current.kind else {
            expect("a test name")
            index = start
            return nil
        }
        let location = current.location
        index += 1
        var arguments: [Expression] = []
        if consumeSymbol("(") {
            while true {
                guard let argument = try parseLogicExpression() ?? parseArrayWithFilters() else {
                    index = start
                    return nil
                }
                arguments.append(argument)
                if consumeSymbol(",") { continue }
                if consumeSymbol(")") { break }
                expect("`,` or `)`")
                index = start
                return nil
            }
        }
        try BuiltinTesters.validateName(name, at: location)
        return TestExpression(subject: subject, negated: negated, name: name, arguments: arguments)
    }

    // MARK: - Precedence climbing

    /// Folds `operands[0] op0 operands[1] op1 ...` with left associativity. A long chain makes a tree
    /// as deep as it is long, so its height is checked as it grows.
    private func combine<Operator>(
        _ operands: [Expression], _ operators: [Operator],
        precedence: (Operator) -> Int,
        _ make: (Expression, Operator, Expression) -> Expression
    ) throws -> Expression {
        var next = 0
        func climb(_ lhs: Expression, _ minimum: Int) throws -> Expression {
            var lhs = lhs
            while next < operators.count, precedence(operators[next]) >= minimum {
                let op = operators[next]
                next += 1
                var rhs = operands[next]
                while next < operators.count, precedence(operators[next]) > precedence(op) {
                    rhs = try climb(rhs, precedence(op) + 1)
                }
                lhs = make(lhs, op, rhs)
                try checkDepth(lhs)
            }
            return lhs
        }
        return try climb(operands[0], 0)
    }
}
