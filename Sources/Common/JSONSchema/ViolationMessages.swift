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

    static func maximum(_ value: JSONValue, limit: JSONValue) -> String {
        "\(value.briefDescription) is greater than the maximum of \(limit.briefDescription)"
    }

    static func exclusiveMaximum(_ value: JSONValue, limit: JSONValue) -> String {
        "\(value.briefDescription) is not less than the exclusive maximum of \(limit.briefDescription)"
    }

    static func minimum(_ value: JSONValue, limit: JSONValue) -> String {
        "\(value.briefDescription) is less than the minimum of \(limit.briefDescription)"
    }

    static func exclusiveMinimum(_ value: JSONValue, limit: JSONValue) -> String {
        "\(value.briefDescription) is not greater than the exclusive minimum of \(limit.briefDescription)"
    }

    static func maxLength(_ value: JSONValue, length: Int, limit: Int) -> String {
        "\(value.briefDescription) is \(characters(length)) long, more than the maximum length of \(limit)"
    }

    static func minLength(_ value: JSONValue, length: Int, limit: Int) -> String {
        "\(value.briefDescription) is \(characters(length)) long, less than the minimum length of \(limit)"
    }

    static func pattern(_ value: JSONValue, pattern: String) -> String {
        "\(value.briefDescription) does not match the pattern \(JSONValue.string(pattern).serialized())"
    }

    static func maxItems(count: Int, limit: Int) -> String {
        "array has \(items(count)), more than the maximum of \(limit)"
    }

    static func minItems(count: Int, limit: Int) -> String {
        "array has \(items(count)), fewer than the minimum of \(limit)"
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

    static func maxProperties(count: Int, limit: Int) -> String {
        "object has \(properties(count)), more than the maximum of \(limit)"
    }

    static func minProperties(count: Int, limit: Int) -> String {
        "object has \(properties(count)), fewer than the minimum of \(limit)"
    }

    static func required(_ name: String) -> String {
        "required property \(quoted(name)) is missing"
    }

    static func dependentRequired(_ name: String, because trigger: String) -> String {
        "property \(quoted(name)) is required when \(quoted(trigger)) is present"
    }

    static func propertyNotAllowed(_ name: String) -> String {
        "property \(quoted(name)) is not allowed"
    }

    static func additionalProperty(_ name: String) -> String {
        "additional property \(quoted(name)) is not allowed"
    }

    static func unevaluatedProperty(_ name: String) -> String {
        "unevaluated property \(quoted(name)) is not allowed"
    }

    static func itemNotAllowed(_ index: Int) -> String {
        "item at index \(index) is not allowed"
    }

    static func additionalItem(_ index: Int) -> String {
        "additional item at index \(index) is not allowed"
    }

    static func unevaluatedItem(_ index: Int) -> String {
        "unevaluated item at index \(index) is not allowed"
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
