import BrokkrCommon
import BrokkrJSONSchema

// The filter registry and the argument conversions filters share.

typealias FilterFunction = @Sendable (JSONValue, FilterArguments) throws -> JSONValue

enum BuiltinFilters {
    /// Every filter Tera 1.x registers by default, except `date` and `filesizeformat`, plus the
    /// extensions `keys`, `values`, `b64encode`, `b64decode` (not Tera 1.x filters).
    /// `safe` and `default` are handled by the evaluator, as in Tera, so they are not listed.
    static let all: [String: FilterFunction] = StringFilters.all
        .merging(CollectionFilters.all) { first, _ in first }
        .merging(ValueFilters.all) { first, _ in first }

    /// Tera filters this engine deliberately does not implement.
    private static let unsupported: Set<String> = ["date", "filesizeformat"]

    static func isKnown(_ name: String) -> Bool {
        all[name] != nil || name == "safe" || name == "default"
    }

    /// Unknown filter names are rejected when the template is parsed.
    static func validateName(_ name: String, at location: SourceLocation) throws {
        if isKnown(name) { return }
        if unsupported.contains(name) {
            throw TemplateSyntaxError("filter `\(name)` is not supported by this template engine", at: location)
        }
        throw TemplateSyntaxError("unknown filter `\(name)`", at: location)
    }
}

/// A filter's keyword arguments, with Tera's type checks and error messages.
struct FilterArguments {
    let filter: String
    let values: [String: JSONValue]
    /// The render's size limit, for filters whose output can be many times their input.
    var maxBytes = TemplateLimits.default.maxOutputBytes

    /// Fails before a filter builds a string or collection of `bytes` bytes past the size limit.
    func checkProjectedSize(_ bytes: Int) throws {
        guard bytes <= maxBytes else {
            throw RenderBudget.sizeError("value built by filter `\(filter)`", bytes: bytes, limit: maxBytes)
        }
    }

    subscript(name: String) -> JSONValue? { values[name] }

    func string(_ name: String) throws -> String? {
        try values[name].map { try Convert.string($0, filter: filter, argument: name) }
    }

    func bool(_ name: String) throws -> Bool? {
        try values[name].map { try Convert.bool($0, filter: filter, argument: name) }
    }

    func unsigned(_ name: String) throws -> Int? {
        try values[name].map { try Convert.unsigned($0, filter: filter, argument: name) }
    }

    func integer(_ name: String) throws -> Int64? {
        try values[name].map { try Convert.integer($0, filter: filter, argument: name) }
    }

    func double(_ name: String) throws -> Double? {
        try values[name].map { try Convert.double($0, filter: filter, argument: name) }
    }

    /// A required string argument: "Filter `replace` expected an arg called `from`".
    func requiredString(_ name: String) throws -> String {
        guard let value = try string(name) else {
            throw EvaluationError("Filter `\(filter)` expected an arg called `\(name)`")
        }
        return value
    }
}

/// serde_json-style conversions (`from_value::<T>`) with Tera's `try_get_value!` messages.
enum Convert {
    static func mismatch(_ value: JSONValue, _ type: String, filter: String, argument: String) -> EvaluationError {
        if argument == "value" {
            return EvaluationError("Filter `\(filter)` was called on an incorrect value: got `\(value.jsonText())` but expected a \(type)")
        }
        return EvaluationError(
            "Filter `\(filter)` received an incorrect type for arg `\(argument)`: got `\(value.jsonText())` but expected a \(type)")
    }

    static func string(_ value: JSONValue, filter: String, argument: String = "value") throws -> String {
        guard case .string(let s) = value else { throw mismatch(value, "String", filter: filter, argument: argument) }
        return s
    }

    static func bool(_ value: JSONValue, filter: String, argument: String = "value") throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(value, "bool", filter: filter, argument: argument) }
        return b
    }

    /// `usize`: a non-negative integer (floats are rejected, as serde does).
    static func unsigned(_ value: JSONValue, filter: String, argument: String = "value") throws -> Int {
        guard case .int(let i) = value, i >= 0 else { throw mismatch(value, "usize", filter: filter, argument: argument) }
        return Int(i)
    }

    static func integer(_ value: JSONValue, filter: String, argument: String = "value") throws -> Int64 {
        guard case .int(let i) = value else { throw mismatch(value, "i64", filter: filter, argument: argument) }
        return i
    }

    /// `f64`: integers are accepted too.
    static func double(_ value: JSONValue, filter: String, argument: String = "value") throws -> Double {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: throw mismatch(value, "f64", filter: filter, argument: argument)
        }
    }

    static func array(_ value: JSONValue, filter: String, argument: String = "value") throws -> [JSONValue] {
        guard case .array(let a) = value else { throw mismatch(value, "Vec<Value>", filter: filter, argument: argument) }
        return a
    }

    /// serde_json turns non-finite floats into `null`.
    static func finite(_ value: Double) -> JSONValue {
        value.isFinite ? .double(value) : .null
    }
}
