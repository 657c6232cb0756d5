import BrokkrCommon
import Foundation

/// Numeric semantics for `.int` / `.double` JSON values: ordering, integer-ness and `multipleOf`.
enum JSONNumber {
    /// Orders two numeric values by mathematical value. Integers are compared exactly, also against
    /// integral doubles, so large `Int64`s are not rounded through `Double`. Non-numbers compare as nil.
    static func compare(_ lhs: JSONValue, _ rhs: JSONValue) -> ComparisonResult? {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)):
            return order(a, b)
        case (.int(let a), .double(let b)):
            return compare(a, b)
        case (.double(let a), .int(let b)):
            switch compare(b, a) {
            case .orderedAscending: return .orderedDescending
            case .orderedDescending: return .orderedAscending
            case .orderedSame: return .orderedSame
            }
        case (.double(let a), .double(let b)):
            return order(a, b)
        default:
            return nil
        }
    }

    /// Exact ordering of an integer and a double. A double that is not an exact `Int64` is either
    /// non-integral (then |d| < 2^53 and converting the integer cannot flip the order) or beyond the
    /// `Int64` range.
    private static func compare(_ i: Int64, _ d: Double) -> ComparisonResult {
        if let exact = Int64(exactly: d) { return order(i, exact) }
        if d >= 0x1p63 { return .orderedAscending }
        if d < -0x1p63 { return .orderedDescending }
        return order(Double(i), d)
    }

    private static func order<T: Comparable>(_ a: T, _ b: T) -> ComparisonResult {
        a < b ? .orderedAscending : (a > b ? .orderedDescending : .orderedSame)
    }

    /// JSON Schema's "integer": any number with a zero fractional part, so `1.0` counts.
    static func isInteger(_ value: JSONValue) -> Bool {
        switch value {
        case .int: return true
        case .double(let d): return d.isFinite && d.rounded(.towardZero) == d
        default: return false
        }
    }

    /// Whether `value` is an integer multiple of `divisor` (which the compiler guarantees is > 0).
    ///
    /// Binary floating point cannot represent most decimal divisors (`0.01`), so `0.0075 / 0.0001` is
    /// `74.99999999999999` in `Double`. Both numbers are therefore re-read as `Decimal` from their
    /// shortest round-trip text, where such divisions are exact; `Double` is the fallback for magnitudes
    /// `Decimal` cannot hold.
    static func isMultiple(_ value: JSONValue, of divisor: JSONValue) -> Bool {
        if case .int(let v) = value, case .int(let d) = divisor {
            guard d != 0 else { return false }
            return v.remainderReportingOverflow(dividingBy: d).partialValue == 0
        }
        if let v = decimal(value), let d = decimal(divisor), !d.isZero {
            var quotient = v / d
            var rounded = Decimal()
            NSDecimalRound(&rounded, &quotient, 0, .plain)
            return rounded == quotient
        }
        guard let v = value.numberValue, let d = divisor.numberValue, d != 0 else { return false }
        let quotient = v / d
        // On overflow, fall back to the (exact) floating point remainder: 1e308 is a multiple of 0.5.
        guard quotient.isFinite else { return v.truncatingRemainder(dividingBy: d) == 0 }
        return quotient.rounded() == quotient
    }

    private static func decimal(_ value: JSONValue) -> Decimal? {
        switch value {
        case .int(let i):
            return Decimal(i)
        case .double(let d):
            guard d.isFinite, let parsed = Decimal(string: "\(d)"), !parsed.isNaN else { return nil }
            return parsed
        default:
            return nil
        }
    }
}
