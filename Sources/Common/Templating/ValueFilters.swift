import BrokkrCommon
import BrokkrJSONSchema
import Foundation

// Filters on numbers and on values of any type: conversions, rounding, JSON encoding.

enum ValueFilters {
    static let all: [String: FilterFunction] = [
        "json_encode": { value, args in
            // A non-boolean `pretty` counts as false, as in Tera.
            let pretty: Bool
            if case .bool(let b)? = args["pretty"] { pretty = b } else { pretty = false }
            return .string(value.jsonText(pretty: pretty))
        },
        "as_str": { value, _ in .string(value.renderedText) },
        "abs": { value, _ in
            switch value {
            case .int(let i) where i >= 0: return value
            case .int(let i):
                guard i != .min else { throw EvaluationError("Filter `abs` overflowed on \(i)") }
                return .int(-i)
            case .double(let d): return .double(d.magnitude)
            default: throw EvaluationError("Filter `abs` was used on a value that isn't a number.")
            }
        },
        "round": round,
        "pluralize": { value, args in
            let number = try Convert.double(value, filter: args.filter)
            let plural = try args.string("plural") ?? "s"
            let singular = try args.string("singular") ?? ""
            return .string(abs(number.magnitude - 1) > Double.ulpOfOne ? plural : singular)
        },
        "int": int,
        "float": float,
    ]

    /// `method` is `common` (half away from zero), `ceil` or `floor`; `precision` decimals
    /// (default 0). The result is always a float (`{{ 2.7 | round }}` prints `3`).
    private static let round: FilterFunction = { value, args in
        let number = try Convert.double(value, filter: args.filter)
        let method = try args.string("method") ?? "common"
        let precision = try args.integer("precision") ?? 0
        guard precision >= Int64(Int32.min), precision <= Int64(Int32.max) else {
            throw Convert.mismatch(args["precision"]!, "i32", filter: args.filter, argument: "precision")
        }
        let multiplier = precision == 0 ? 1.0 : pow(10.0, Double(precision))
        switch method {
        case "common": return Convert.finite((multiplier * number).rounded(.toNearestOrAwayFromZero) / multiplier)
        case "ceil": return Convert.finite((multiplier * number).rounded(.up) / multiplier)
        case "floor": return Convert.finite((multiplier * number).rounded(.down) / multiplier)
        default:
            throw EvaluationError(
                "Filter `round` received an incorrect value for arg `method`: got `\"\(method)\"`, only common, ceil and floor are allowed")
        }
    }

    /// Strings are parsed in `base` (default 10; `0b`/`0o`/`0x` prefixes allowed for 2/8/16), and
    /// decimal strings with a `.` are truncated; unparsable strings give `default` (0). Numbers
    /// are truncated toward zero.
    private static let int: FilterFunction = { value, args in
        let fallback = try args.integer("default") ?? 0
        let base = try args.integer("base") ?? 10
        guard (2...36).contains(base) else {
            throw EvaluationError("Filter `int` received an invalid base: \(base) (expected 2 to 36)")
        }
        switch value {
        case .string(let raw):
            var s = raw.trimmingWhitespace
            switch base {
            case 2: s = ByteString.trimStartMatches(s, "0b")
            case 8: s = ByteString.trimStartMatches(s, "0o")
            case 16: s = ByteString.trimStartMatches(s, "0x")
            default: break
            }
            if let parsed = parseInteger(s, radix: Int(base)) { return .int(parsed) }
            if s.contains("."), let d = parseRustFloat(s) { return .int(Operators.saturatingInt64(d)) }
            return .int(fallback)
        case .int(let i):
            // Tera goes through f64 here, so very large integers lose precision.
            return .int(Operators.saturatingInt64(Double(i)))
        case .double(let d):
            return .int(Operators.saturatingInt64(d))
        default:
            throw EvaluationError("Filter `int` received an unexpected type")
        }
    }

    private static let float: FilterFunction = { value, args in
        let fallback = try args.double("default") ?? 0
        switch value {
        case .string(let raw):
            return Convert.finite(parseRustFloat(raw.trimmingWhitespace) ?? fallback)
        case .int(let i): return .double(Double(i))
        case .double: return value
        default: throw EvaluationError("Filter `float` received an unexpected type")
        }
    }

    /// Rust's `i64::from_str_radix`: optional sign, digits of the radix, no overflow.
    static func parseInteger(_ s: String, radix: Int) -> Int64? {
        var digits = Substring(s)
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for c in digits {
            guard let digit = c.hexDigitValue ?? c.letterDigitValue, digit < radix else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: Int64(radix))
            let (next, o2) =
                negative
                ? shifted.subtractingReportingOverflow(Int64(digit))
                : shifted.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            value = next
        }
        return value
    }

    /// Rust's `f64::from_str`: decimal notation with optional exponent, or inf/infinity/nan.
    static func parseRustFloat(_ s: String) -> Double? {
        let allowed = Set("0123456789+-.eE")
        let lower = s.lowercased()
        let unsigned = lower.hasPrefix("+") || lower.hasPrefix("-") ? String(lower.dropFirst()) : lower
        if ["inf", "infinity", "nan"].contains(unsigned) { return Double(lower) }
        guard !s.isEmpty, s.allSatisfy(allowed.contains) else { return nil }
        return Double(s)
    }
}

extension Character {
    /// Digit value of letters beyond `f` for radixes up to 36.
    fileprivate var letterDigitValue: Int? {
        guard let ascii = asciiValue else { return nil }
        switch ascii {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return Int(ascii - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return Int(ascii - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}
