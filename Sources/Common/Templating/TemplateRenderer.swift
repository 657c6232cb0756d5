import BrokkrCommon
import BrokkrJSONSchema

// Renders a parsed template against a context, following Tera's `renderer/processor.rs`:
// scopes (`set` is local to the current loop iteration, `set_global` reaches the template
// scope), strict variable lookup, and Tera's rules for `default`, `not`, truthiness and math.

final class TemplateRenderer {
    private let templateName: String
    private let globals: [String: JSONValue]
    private let budget: RenderBudget
    /// `frames[0]` is the template scope; each running `for` loop pushes one frame.
    private var frames: [Frame] = [Frame()]

    private struct Frame {
        var assignments: [String: JSONValue] = [:]
        var loop: LoopState?
    }

    private enum LoopControl { case proceed, breakLoop, continueLoop }

    private struct LoopState {
        let keyName: String?
        let valueName: String
        let items: [(key: String?, value: JSONValue)]
        var current = 0
        var control = LoopControl.proceed
    }

    init(templateName: String, context: JSONValue, limits: TemplateLimits = .default) {
        self.templateName = templateName
        budget = RenderBudget(limits: limits)
        // Like Brokkr's `render_template`: the top-level keys of an object; anything else is empty.
        if case .object(let members) = context { globals = members } else { globals = [:] }
    }

    func render(_ nodes: [TemplateNode]) throws -> String {
        var out = ""
        try renderBody(nodes, into: &out)
        return out
    }

    // MARK: - Nodes

    private func renderBody(_ nodes: [TemplateNode], into out: inout String) throws {
        for node in nodes {
            try renderNode(node, into: &out)
            if let control = frames[frames.count - 1].loop?.control, control != .proceed { break }
        }
    }

    private func renderNode(_ node: TemplateNode, into out: inout String) throws {
        try attributed(nil) { try budget.checkTime() }
        switch node {
        case .text(let text), .raw(_, let text, _):
            out += text
            try attributed(nil) { try budget.checkOutput(out) }
        case .comment:
            break
        case .variable(_, let expression, let line):
            try attributed(line) {
                out += try evaluate(expression).renderedText
                try budget.checkOutput(out)
            }
        case .set(_, let set):
            let value = try attributed(set.line) { try evaluate(set.value) }
            frames[set.global ? 0 : frames.count - 1].assignments[set.name] = value
        case .breakLoop(_, let line):
            try attributed(line) { try requestLoopControl(.breakLoop, tag: "break") }
        case .continueLoop(_, let line):
            try attributed(line) { try requestLoopControl(.continueLoop, tag: "continue") }
        case .ifBlock(let ifNode, _):
            for branch in ifNode.branches {
                if try attributed(branch.line, { try evaluateAsBool(branch.condition) }) {
                    try renderBody(branch.body, into: &out)
                    return
                }
            }
            if let otherwise = ifNode.otherwise { try renderBody(otherwise.body, into: &out) }
        case .forLoop(_, let loop, _):
            try renderForLoop(loop, into: &out)
        case .filterSection(_, let section, _):
            var body = ""
            try renderBody(section.body, into: &body)
            try attributed(section.line) {
                if section.filter.name == "safe" {
                    out += body
                } else {
                    out += try applyFilter(section.filter, to: .string(body)).renderedText
                }
                try budget.checkOutput(out)
            }
        }
    }

    /// Gives evaluation errors the line of the tag being rendered.
    private func attributed<T>(_ line: Int?, _ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let error as EvaluationError {
            throw TemplateRenderError(message: error.message, line: line)
        }
    }

    private func requestLoopControl(_ control: LoopControl, tag: String) throws {
        guard frames[frames.count - 1].loop != nil else {
            throw EvaluationError("Attempted `\(tag)` while not in `for loop`")
        }
        frames[frames.count - 1].loop!.control = control
    }

    private func renderForLoop(_ loop: ForLoopNode, into out: inout String) throws {
        let items: [(key: String?, value: JSONValue)] = try attributed(loop.line) {
            let name: String
            switch loop.container.value {
            case .variable(let path): name = path.text
            case .functionCall(let call): name = call.name
            case .array: name = "an array literal"
            default:
                throw EvaluationError("Forloop containers have to be an ident or a function call")
            }
            switch try evaluate(loop.container) {
            case .array(let elements):
                guard loop.keyName == nil else {
                    throw EvaluationError("Tried to iterate using key value on variable `\(name)`, but it isn't an object/map")
                }
                return elements.map { (nil, $0) }
            case .string(let text):
                guard loop.keyName == nil else {
                    throw EvaluationError("Tried to iterate using key value on variable `\(name)`, but it isn't an object/map")
                }
                return text.map { (nil, .string(String($0))) }
            case .object(let members):
                guard loop.keyName != nil else {
                    throw EvaluationError("Tried to iterate using key value on variable `\(name)`, but it is missing a key")
                }
                return JSONValue.sortedKeys(members).map { ($0, members[$0]!) }
            default:
                throw EvaluationError("Tried to iterate on a container (`\(name)`) that has a unsupported type")
            }
        }

        if items.isEmpty {
            if let emptyBody = loop.emptyBody { try renderBody(emptyBody, into: &out) }
            return
        }
        frames.append(Frame(loop: LoopState(keyName: loop.keyName, valueName: loop.valueName, items: items)))
        defer { frames.removeLast() }
        for _ in items.indices {
            try attributed(loop.line) { try budget.countIteration() }
            try renderBody(loop.body, into: &out)
            if frames[frames.count - 1].loop!.control == .breakLoop { break }
            // Assignments made with `set` last for one iteration.
            frames[frames.count - 1].assignments = [:]
            frames[frames.count - 1].loop!.current += 1
            frames[frames.count - 1].loop!.control = .proceed
        }
    }

    // MARK: - Variables

    /// Resolves a variable, innermost scope first, then the context; fails like Tera when missing.
    private func lookup(_ path: VariablePath) throws -> JSONValue {
        if path.root == "__tera_context", path.segments.isEmpty {
            return .string(currentContext().jsonText(pretty: true))
        }
        var keys: [String] = []
        var evaluated = path.root
        for segment in path.segments {
            switch segment {
            case .key(let key, let form):
                keys.append(key)
                evaluated += form
            case .variable(let inner):
                let index: JSONValue
                do {
                    index = try lookup(inner)
                } catch let error as EvaluationError {
                    throw EvaluationError("Variable \(path.text) can not be evaluated because: \(error.message)")
                }
                switch index {
                case .string(let s):
                    keys.append(s)
                    evaluated += ".\"\(s)\""
                case .int, .double:
                    let text = index.jsonText()
                    keys.append(text)
                    evaluated += "." + text
                default:
                    throw EvaluationError(
                        "Only variables evaluating to String or Number can be used as index (`\(inner.text)` of `\(path.text)`)")
                }
            }
        }
        if let value = resolve(path.root, keys) { return value }
        if path.hasSubscript {
            throw EvaluationError(
                "Variable `\(path.text)` not found in context while rendering '\(templateName)': the evaluated version was `\(evaluated)`. Maybe the index is out of bounds?"
            )
        }
        throw EvaluationError("Variable `\(path.text)` not found in context while rendering '\(templateName)'")
    }

    private func resolve(_ root: String, _ keys: [String]) -> JSONValue? {
        for frame in frames.reversed() {
            if let value = frame.assignments[root], let found = value.descend(keys) { return found }
            guard let loop = frame.loop else { continue }
            let item = loop.items[loop.current]
            if root == loop.keyName, keys.isEmpty, let key = item.key { return .string(key) }
            if root == "loop" {
                guard keys.count == 1 else { continue }
                switch keys[0] {
                case "index": return .int(Int64(loop.current + 1))
                case "index0": return .int(Int64(loop.current))
                case "first": return .bool(loop.current == 0)
                case "last": return .bool(loop.current == loop.items.count - 1)
                default: continue
                }
            }
            if root == loop.valueName, let found = item.value.descend(keys) { return found }
        }
        return globals[root]?.descend(keys)
    }

    /// Everything visible at this point, for `{{ __tera_context }}`.
    private func currentContext() -> JSONValue {
        var visible: [String: JSONValue] = [:]
        for frame in frames.reversed() {
            visible.merge(frame.assignments) { _, outer in outer }
            if let loop = frame.loop {
                let item = loop.items[loop.current]
                visible[loop.valueName] = item.value
                if let keyName = loop.keyName, let key = item.key { visible[keyName] = .string(key) }
            }
        }
        return .object(globals.merging(visible) { _, scoped in scoped })
    }

    // MARK: - Expressions

    /// A value: Tera's `eval_expression`.
    private func evaluate(_ expression: Expression) throws -> JSONValue {
        var result: JSONValue
        switch expression.value {
        case .string(let s): result = .string(s)
        case .integer(let i): result = .int(i)
        case .float(let d): result = .double(d)
        case .bool(let b): result = .bool(b)
        case .array(let elements):
            result = .array(try elements.map(evaluate))
            try budget.checkValue(result, "array literal")
        case .contains(let needle, let haystack, let negated):
            let present = try Operators.contains(try evaluate(needle), in: try evaluate(haystack))
            result = .bool(negated ? !present : present)
        case .concat(let parts): result = .string(try concatenate(parts))
        case .functionCall(let call): result = try callFunction(call)
        case .test(let test): result = .bool(try evaluateTest(test))
        // The condition already applies `not`, and it is applied again below: Tera prints
        // `{{ not 1 == 2 }}` as `false`. Kept for compatibility.
        case .logic: result = .bool(try evaluateAsBool(expression))
        case .math: result = try evaluateAsNumber(expression.value)?.jsonValue ?? .string("NaN")
        case .variable(let path):
            do {
                let value = try lookup(path)
                result = value == .null && expression.startsWithDefaultFilter ? try defaultValue(expression) : value
            } catch let error as EvaluationError {
                if expression.startsWithDefaultFilter {
                    result = try defaultValue(expression)
                } else if expression.negated {
                    return .bool(true)  // `not undefined` is true
                } else {
                    throw error
                }
            }
        }
        for filter in expression.filters where filter.name != "safe" && filter.name != "default" {
            result = try applyFilter(filter, to: result)
        }
        return expression.negated ? .bool(!result.isTruthy) : result
    }

    private func defaultValue(_ expression: Expression) throws -> JSONValue {
        guard let value = Self.argument("value", of: expression.filters[0]) else {
            throw EvaluationError("The `default` filter requires a `value` argument.")
        }
        return try evaluate(value)
    }

    private static func argument(_ name: String, of call: CallExpression) -> Expression? {
        call.arguments.last(where: { $0.name == name })?.value
    }

    /// A condition: Tera's `eval_as_bool`.
    private func evaluateAsBool(_ expression: Expression) throws -> Bool {
        var result: Bool
        switch expression.value {
        case .logic(let lhs, let op, let rhs):
            switch op {
            case .or: result = try evaluateAsBool(lhs) || evaluateAsBool(rhs)
            case .and: result = try evaluateAsBool(lhs) && evaluateAsBool(rhs)
            case .less, .lessOrEqual, .greater, .greaterOrEqual:
                let l = try evaluateAsNumber(lhs)
                let r = try evaluateAsNumber(rhs)
                guard let l, let r else { throw EvaluationError("Comparison to NaN") }
                result = Operators.compare(op, l, r)
            case .equal, .notEqual:
                // A number against a non-number is false for `==` and `!=` alike, negation ignored.
                guard let equal = Operators.equal(try evaluate(lhs), try evaluate(rhs)) else { return false }
                result = op == .equal ? equal : !equal
            }
        case .variable:
            // An undefined variable (or any failure evaluating it) is falsy here. The negation is
            // applied inside `evaluate`, undone here and re-applied below, as in Tera.
            result = ((try? evaluate(expression)) ?? .bool(false)).isTruthy
            if expression.negated { result = !result }
        case .math, .integer, .float:
            result = try evaluateAsNumber(expression.value).map { $0.doubleValue != 0 } ?? false
        case .contains, .array:
            result = try evaluate(Expression(expression.value, filters: expression.filters)).isTruthy
        case .test(let test):
            result = try evaluateTest(test)
        case .bool(let b):
            result = b
        case .string(let s):
            result = !s.isEmpty
        case .functionCall(let call):
            guard case .bool(let b) = try callFunction(call) else {
                throw EvaluationError("Function `\(call.name)` was used in a logic operation but is not returning a bool")
            }
            result = b
        case .concat:
            let value = try evaluate(Expression(expression.value, filters: expression.filters))
            result = value.stringValue.map { !$0.isEmpty } ?? value.isTruthy
        }
        return expression.negated ? !result : result
    }

    /// An operand of math or of `<`/`>`: filtered values must come out as numbers.
    private func evaluateAsNumber(_ expression: Expression) throws -> TeraNumber? {
        guard !expression.filters.isEmpty else { return try evaluateAsNumber(expression.value) }
        guard let number = TeraNumber(try evaluate(expression)) else {
            throw EvaluationError("Tried to do math with an expression not resulting in a number")
        }
        return number
    }

    /// Tera's `eval_as_number`; nil is a NaN result.
    private func evaluateAsNumber(_ value: ExpressionValue) throws -> TeraNumber? {
        switch value {
        case .integer(let i): return .int(i)
        case .float(let d): return .double(d)
        case .variable(let path):
            guard let number = TeraNumber(try lookup(path)) else {
                throw EvaluationError("Variable `\(path.text)` was used in a math operation but is not a number")
            }
            return number
        case .math(let lhs, let op, let rhs):
            let l = try evaluateAsNumber(lhs)
            let r = try evaluateAsNumber(rhs)
            guard let l, let r else { return nil }
            return try Operators.apply(op, l, r)
        case .functionCall(let call):
            guard let number = TeraNumber(try callFunction(call)) else {
                throw EvaluationError("Function `\(call.name)` was used in a math operation but is not returning a number")
            }
            return number
        case .string(let s): throw EvaluationError("Tried to do math with a string: `\(s)`")
        case .bool(let b): throw EvaluationError("Tried to do math with a boolean: `\(b)`")
        case .concat(let parts): throw EvaluationError("Tried to do math with a string concatenation: \(Self.describe(parts))")
        case .test(let test): throw EvaluationError("Tried to do math with a test: \(test.name)")
        case .logic, .array, .contains: throw EvaluationError("Tried to do math with a value that isn't a number")
        }
    }

    /// `a ~ b`: strings and numbers only. Number variables print as JSON numbers (`2.0`), float
    /// literals as Tera prints floats (`2`), matching Tera.
    private func concatenate(_ parts: [ConcatPart]) throws -> String {
        var out = ""
        for part in parts {
            // Checked per part: `a ~ a ~ a ~ …` multiplies the size of `a` by the number of parts.
            if out.utf8.count > budget.limits.maxOutputBytes {
                throw RenderBudget.sizeError("string concatenation", bytes: out.utf8.count, limit: budget.limits.maxOutputBytes)
            }
            switch part {
            case .string(let s): out += s
            case .integer(let i): out += String(i)
            case .float(let d): out += NumberFormatting.rustDisplay(d)
            case .variable(let path):
                let value = try lookup(path)
                guard let text = Self.concatText(value) else {
                    throw EvaluationError("Tried to concat a value that is not a string or a number from ident \(path.text)")
                }
                out += text
            case .functionCall(let call):
                guard let text = Self.concatText(try callFunction(call)) else {
                    throw EvaluationError("Tried to concat a value that is not a string or a number from function call \(call.name)")
                }
                out += text
            }
        }
        try budget.checkValue(.string(out), "string concatenation")
        return out
    }

    private static func concatText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): return s
        case .int, .double: return value.jsonText()
        default: return nil
        }
    }

    private static func describe(_ parts: [ConcatPart]) -> String {
        parts.map { part -> String in
            switch part {
            case .string(let s): return "'\(s)'"
            case .variable(let path): return path.text
            default: return "unknown"
            }
        }.joined(separator: " ~ ")
    }

    // MARK: - Calls

    private func evaluateArguments(_ call: CallExpression, kind: String) throws -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for argument in call.arguments {
            do {
                values[argument.name] = try evaluate(argument.value)
            } catch let error as EvaluationError {
                throw EvaluationError("\(kind) call '\(call.name)' failed: \(error.message)")
            }
        }
        return values
    }

    private func applyFilter(_ call: CallExpression, to value: JSONValue) throws -> JSONValue {
        guard let filter = BuiltinFilters.all[call.name] else {
            throw EvaluationError("Filter '\(call.name)' not found")
        }
        let arguments = FilterArguments(
            filter: call.name, values: try evaluateArguments(call, kind: "Filter"),
            maxBytes: budget.limits.maxOutputBytes)
        return try runBuiltin("Filter", call.name) { try filter(value, arguments) }
    }

    private func callFunction(_ call: CallExpression) throws -> JSONValue {
        guard let function = BuiltinFunctions.all[call.name] else {
            throw EvaluationError("Function '\(call.name)' not found")
        }
        let arguments = try evaluateArguments(call, kind: "Function")
        return try runBuiltin("Function", call.name) { try function(arguments, budget.limits) }
    }

    /// Runs a builtin filter or function: its failure names the call, and what it built is checked
    /// against the budget.
    private func runBuiltin(_ kind: String, _ name: String, _ body: () throws -> JSONValue) throws -> JSONValue {
        try budget.checkTime()
        let result: JSONValue
        do {
            result = try body()
        } catch let error as EvaluationError {
            throw EvaluationError("\(kind) call '\(name)' failed: \(error.message)")
        }
        try budget.checkValue(result, "value built by \(kind.lowercased()) `\(name)`")
        return result
    }

    private func evaluateTest(_ test: TestExpression) throws -> Bool {
        guard let tester = BuiltinTesters.all[test.name] else {
            throw EvaluationError("Test '\(test.name)' not found")
        }
        var arguments: [JSONValue] = []
        for argument in test.arguments {
            do {
                arguments.append(try evaluate(argument))
            } catch let error as EvaluationError {
                throw EvaluationError("Test call '\(test.name)' failed: \(error.message)")
            }
        }
        let subject = try? lookup(test.subject)
        do {
            let result = try tester(subject, arguments)
            return test.negated ? !result : result
        } catch let error as EvaluationError {
            throw EvaluationError("Test call '\(test.name)' failed: \(error.message)")
        }
    }
}
