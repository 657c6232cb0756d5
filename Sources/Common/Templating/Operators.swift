import BrokkrCommon
import BrokkrJSONSchema

// Tera's math, comparison and `in` semantics on values.

/// A number as Tera's math sees it: an i64 or an f64 (serde_json's `Number`).
enum TeraNumber: Sendable, Equatable {
    case int(Int64)
    case double(Double)

    init?(_ value: JSONValue) {
        switch value {
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        default: return nil
        }
    }

    var doubleValue: Double {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        }
    }

    var jsonValue: JSONValue {
        switch self {
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        }
    }
}

enum Operators {
    /// Applies a math operator. Integers stay integers (overflow is an error); any float makes the
    /// result a float. `/` always divides as floats but a whole, finite quotient becomes an
    /// integer (`{{ 10 / 4 }}` is `2.5`, `{{ 10 / 5 }}` is `2`). `nil` is Tera's "NaN" result
    /// (division by zero, infinities), which prints as `NaN`.
    static func apply(_ op: MathOperator, _ lhs: TeraNumber, _ rhs: TeraNumber) throws -> TeraNumber? {
        if case .int(let l) = lhs, case .int(let r) = rhs, op != .divide {
            let (value, overflow): (Int64, Bool)
            switch op {
            case .add: (value, overflow) = l.addingReportingOverflow(r)
            case .subtract: (value, overflow) = l.subtractingReportingOverflow(r)
            case .multiply: (value, overflow) = l.multipliedReportingOverflow(by: r)
            case .modulo:
                guard r != 0 else { throw EvaluationError("Tried to do a modulo by zero: \(l) % \(r)") }
                (value, overflow) = l.remainderReportingOverflow(dividingBy: r)
            case .divide: fatalError("handled below")
            }
            guard !overflow else {
                let symbol = op == .multiply ? "x" : op.rawValue
                throw EvaluationError("\(l) \(symbol) \(r) results in an out of bounds i64")
            }
            return .int(value)
        }
        let l = lhs.doubleValue
        let r = rhs.doubleValue
        let result: Double
        switch op {
        case .add: result = l + r
        case .subtract: result = l - r
        case .multiply: result = l * r
        case .modulo: result = l.truncatingRemainder(dividingBy: r)
        case .divide:
            result = l / r
            if result.isFinite, result.rounded() == result { return .int(saturatingInt64(result)) }
        }
        return result.isFinite ? .double(result) : nil
    }

    /// Rust's `as i64` conversion from f64: truncates and saturates.
    static func saturatingInt64(_ value: Double) -> Int64 {
        if value.isNaN { return 0 }
        if value >= 0x1p63 { return .max }
        if value <= -0x1p63 { return .min }
        return Int64(value)
    }

    /// `<`, `<=`, `>`, `>=`: numbers only, compared as floats.
    static func compare(_ op: LogicOperator, _ lhs: TeraNumber, _ rhs: TeraNumber) -> Bool {
        let l = lhs.doubleValue
        let r = rhs.doubleValue
        switch op {
        case .less: return l < r
        case .lessOrEqual: return l <= r
        case .greater: return l > r
        case .greaterOrEqual: return l >= r
        default: return false
        }
    }

    /// `==` / `!=`: when either side is a number both must be, and they compare as floats
    /// (`1 == 1.0`); otherwise values compare structurally. Returns nil when a number meets a
    /// non-number: Tera then answers `false` for both `==` and `!=`.
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool? {
        if lhs.isNumber || rhs.isNumber {
            guard let l = TeraNumber(lhs), let r = TeraNumber(rhs) else { return nil }
            return l.doubleValue == r.doubleValue
        }
        return lhs == rhs
    }

    /// `needle in haystack`: array membership, substring, or object key.
    static func contains(_ needle: JSONValue, in haystack: JSONValue) throws -> Bool {
        switch haystack {
        case .array(let elements):
            return elements.contains(needle)
        case .string(let text):
            guard case .string(let part) = needle else {
                throw EvaluationError("Tried to check if \(needle.jsonText()) is in a string, but it isn't a string")
            }
            return ByteString.contains(text, part)
        case .object(let members):
            guard case .string(let key) = needle else {
                throw EvaluationError("Tried to check if \(needle.jsonText()) is in a object, but it isn't a string")
            }
            return members[key] != nil
        default:
            throw EvaluationError("The `in` operator only supports strings, arrays and objects.")
        }
    }
}
