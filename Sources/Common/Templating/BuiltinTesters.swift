import BrokkrCommon
import BrokkrJSONSchema
import Foundation

// The `is` tests (`x is defined`, `x is containing("a")`), as Tera's `builtins/testers.rs`.
// A tester receives `nil` for an undefined variable.

typealias TesterFunction = @Sendable (JSONValue?, [JSONValue]) throws -> Bool

enum BuiltinTesters {
    static let all: [String: TesterFunction] = [
        "defined": { value, args in
            try arguments("defined", args, max: 0)
            return value != nil
        },
        "undefined": { value, args in
            try arguments("undefined", args, max: 0)
            return value == nil
        },
        "string": { value, args in
            if case .string = try defined("string", value, args, max: 0) { return true }
            return false
        },
        "number": { value, args in try defined("number", value, args, max: 0).isNumber },
        "odd": { value, args in try isOdd("odd", value, args) },
        "even": { value, args in try !isOdd("even", value, args) },
        "divisibleby": { value, args in
            let subject = try defined("divisibleby", value, args, max: 1)
            guard let number = TeraNumber(subject)?.doubleValue else {
                throw EvaluationError("Tester `divisibleby` was called on a variable that isn't a number")
            }
            guard let divisor = args.first.flatMap(TeraNumber.init)?.doubleValue else {
                throw EvaluationError("Tester `divisibleby` was called with a parameter that isn't a number")
            }
            return number.truncatingRemainder(dividingBy: divisor) == 0
        },
        "iterable": { value, args in
            switch try defined("iterable", value, args, max: 0) {
            case .array, .object: return true
            default: return false
            }
        },
        "object": { value, args in
            if case .object = try defined("object", value, args, max: 0) { return true }
            return false
        },
        "starting_with": { value, args in
            let subject = try string("starting_with", "on a variable", try defined("starting_with", value, args, max: 1))
            return ByteString.hasPrefix(subject, try string("starting_with", "with a parameter", args.first))
        },
        "ending_with": { value, args in
            let subject = try string("ending_with", "on a variable", try defined("ending_with", value, args, max: 1))
            return ByteString.hasSuffix(subject, try string("ending_with", "with a parameter", args.first))
        },
        "containing": { value, args in
            switch try defined("containing", value, args, max: 1) {
            case .string(let s):
                return ByteString.contains(s, try string("containing", "with a parameter", args.first))
            case .array(let elements):
                guard let needle = args.first else {
                    throw EvaluationError("Tester `containing` was called without a parameter")
                }
                return elements.contains(needle)
            case .object(let members):
                return members[try string("containing", "with a parameter", args.first)] != nil
            default:
                throw EvaluationError("Tester `containing` can only be used on string, array or map")
            }
        },
        "matching": { value, args in
            let subject = try string("matching", "on a variable", try defined("matching", value, args, max: 1))
            let pattern = try string("matching", "with a parameter", args.first)
            let regex: NSRegularExpression
            do {
                regex = try NSRegularExpression(pattern: pattern)
            } catch {
                throw EvaluationError("Tester `matching`: Invalid regular expression: \(pattern)")
            }
            let range = NSRange(location: 0, length: (subject as NSString).length)
            return regex.firstMatch(in: subject, range: range) != nil
        },
    ]

    static func validateName(_ name: String, at location: SourceLocation) throws {
        guard all[name] == nil else { return }
        throw TemplateSyntaxError("unknown test `\(name)`", at: location)
    }

    private static func arguments(_ name: String, _ args: [JSONValue], max: Int) throws {
        if max == 0 && !args.isEmpty {
            throw EvaluationError("Tester `\(name)` was called with some args but this test doesn't take args")
        }
        if args.count > max {
            throw EvaluationError("Tester `\(name)` was called with \(args.count) args, the max number is \(max)")
        }
    }

    /// Checks the argument count and that the variable exists.
    private static func defined(_ name: String, _ value: JSONValue?, _ args: [JSONValue], max: Int) throws -> JSONValue {
        try arguments(name, args, max: max)
        guard let value else { throw EvaluationError("Tester `\(name)` was called on an undefined variable") }
        return value
    }

    private static func string(_ name: String, _ part: String, _ value: JSONValue?) throws -> String {
        guard case .string(let s)? = value else {
            throw EvaluationError("Tester `\(name)` was called \(part) that isn't a string")
        }
        return s
    }

    private static func isOdd(_ name: String, _ value: JSONValue?, _ args: [JSONValue]) throws -> Bool {
        let subject = try defined(name, value, args, max: 0)
        guard let number = TeraNumber(subject)?.doubleValue else {
            throw EvaluationError("Tester `odd` was called on a variable that isn't a number")
        }
        return number.truncatingRemainder(dividingBy: 2) != 0
    }
}
