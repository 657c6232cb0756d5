import BrokkrCommon
import Foundation

/// The human readable texts of violations, kept in one place so wording stays consistent.
enum ViolationMessage {
    static func type(_ value: JSONValue, expected: JSONTypeSet) -> String {
        let names = expected.names
        let expectation = names.count == 1 ? "of type \(names[0])" : "one of the types \(names.joined(separator: ", "))"
        return "\(value.briefDescription) is not \(expectation)"
    }

    static func enumeration(_ value: JSONValue, allowed: [JSONValue]) -> String {
        "\(value.briefDescription) is not one of \(JSONValue.array(allowed).briefDescription)"
    }

    static func constant(_ value: JSONValue, expected: JSONValue) -> String {
        "\(value.briefDescription) does not equal the constant \(expected.briefDescription)"
    }

    static func multipleOf(_ value: JSONValue, divisor: JSONValue) -> String {
        "\(value.briefDescription) is not a multiple of \(divisor.briefDescription)"
    }

    /// `maximum`, `exclusiveMaximum`, `minimum` or `exclusiveMinimum`, by keyword.
    static func bound(_ value: JSONValue, keyword: String, limit: JSONValue) -> String {
        let relation: String
        switch keyword {
        case "maximum": relation = "is greater than the maximum"
        case "exclusiveMaximum": relation = "is not less than the exclusive maximum"
        case "minimum": relation = "is less than the minimum"
        default: relation = "is not greater than the exclusive minimum"
        }
        return "\(value.briefDescription) \(relation) of \(limit.briefDescription)"
    }

    static func length(_ value: JSONValue, length: Int, limit: Int, isMaximum: Bool) -> String {
        "\(value.briefDescription) is \(characters(length)) long, \(isMaximum ? "more than the maximum" : "less than the minimum") length of \(limit)"
    }

    static func pattern(_ value: JSONValue, pattern: String) -> String {
        "\(value.briefDescription) does not match the pattern \(JSONValue.string(pattern).serialized())"
    }

    /// `maxItems` or `minItems`.
    static func itemCount(_ count: Int, limit: Int, isMaximum: Bool) -> String {
        "array has \(items(count)), \(beyond(limit, isMaximum: isMaximum))"
    }

    static func uniqueItems(first: Int, duplicate: Int) -> String {
        "array items at indices \(first) and \(duplicate) are equal, but items must be unique"
    }

    static func contains(matches: Int, minimum: Int, explicit: Bool) -> String {
        if !explicit || minimum == 1, matches == 0 { return "array does not contain any item matching the \"contains\" schema" }
        return "array contains \(items(matches)) matching the \"contains\" schema, fewer than the minimum of \(minimum)"
    }

    static func maxContains(matches: Int, maximum: Int) -> String {
        "array contains \(items(matches)) matching the \"contains\" schema, more than the maximum of \(maximum)"
    }

    /// `maxProperties` or `minProperties`.
    static func propertyCount(_ count: Int, limit: Int, isMaximum: Bool) -> String {
        "object has \(properties(count)), \(beyond(limit, isMaximum: isMaximum))"
    }

    private static func beyond(_ limit: Int, isMaximum: Bool) -> String {
        "\(isMaximum ? "more than the maximum" : "fewer than the minimum") of \(limit)"
    }

    static func required(_ name: String) -> String {
        "required property \(quoted(name)) is missing"
    }

    static func dependentRequired(_ name: String, because trigger: String) -> String {
        "property \(quoted(name)) is required when \(quoted(trigger)) is present"
    }

    /// A member that a `false` subschema rejects; `qualifier` is "additional", "unevaluated" or nil.
    static func notAllowed(property name: String, _ qualifier: String?) -> String {
        notAllowed("property \(quoted(name))", qualifier)
    }

    /// An item that a `false` subschema rejects; `qualifier` is "additional", "unevaluated" or nil.
    static func notAllowed(item index: Int, _ qualifier: String?) -> String {
        notAllowed("item at index \(index)", qualifier)
    }

    private static func notAllowed(_ subject: String, _ qualifier: String?) -> String {
        "\(qualifier.map { "\($0) " } ?? "")\(subject) is not allowed"
    }

    static func propertyName(_ name: String) -> String {
        "property name \(quoted(name)) does not match the \"propertyNames\" schema"
    }

    static func falseSchema(_ value: JSONValue) -> String {
        "\(value.briefDescription) is not allowed here (the schema is false)"
    }

    static func anyOf(count: Int) -> String {
        "value does not match any of the \(count) \"anyOf\" schemas"
    }

    static func oneOfNone(count: Int) -> String {
        "value does not match any of the \(count) \"oneOf\" schemas"
    }

    static func oneOfSeveral(matching: [Int]) -> String {
        "value matches more than one \"oneOf\" schema (indices \(matching.map(String.init).joined(separator: ", "))), but must match exactly one"
    }

    static func not() -> String {
        "value must not match the \"not\" schema"
    }

    static func referenceCycle() -> String {
        "schema references form a cycle that never descends into the instance: the same subschema is re-entered at the same instance location"
    }

    static func budgetExceeded(_ steps: Int) -> String {
        "schema evaluation exceeded its budget of \(steps) steps; the schema is too expensive for this instance"
    }

    static func tooDeep() -> String {
        "schema evaluation is nested too deeply (probably a $ref cycle that never descends into the instance)"
    }

    private static func quoted(_ name: String) -> String { JSONValue.string(name).serialized() }
    private static func characters(_ n: Int) -> String { n == 1 ? "1 character" : "\(n) characters" }
    private static func items(_ n: Int) -> String { n == 1 ? "1 item" : "\(n) items" }
    private static func properties(_ n: Int) -> String { n == 1 ? "1 property" : "\(n) properties" }
}

extension JSONValue {
    /// Compact JSON text for messages, shortened when long.
    var briefDescription: String {
        let text = serialized()
        let limit = 60
        guard text.count > limit else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }
}
