import BrokkrCommon
import Foundation

/// Equality as JSON Schema defines it for `enum`, `const` and `uniqueItems`:
/// - numbers compare by mathematical value (`1 == 1.0`), which `JSONValue`'s synthesised `==` does not;
/// - `true` is never equal to `1`;
/// - strings compare code point by code point. Swift's `String ==` uses canonical equivalence
///   ("é" == "e\u{301}"), which JSON Schema does not.
extension JSONValue {
    func isSchemaEqual(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null):
            return true
        case (.bool(let a), .bool(let b)):
            return a == b
        case (.string(let a), .string(let b)):
            return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.int(let a), .int(let b)):
            return a == b
        case (.int, .double), (.double, .int), (.double, .double):
            return JSONNumber.compare(self, other) == .orderedSame
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return false }
            return zip(a, b).allSatisfy { $0.isSchemaEqual(to: $1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let otherValue = b[key], value.isSchemaEqual(to: otherValue) else { return false }
            }
            return true
        default:
            return false
        }
    }

    /// A hashable key that is equal for two values exactly when `isSchemaEqual` says so, letting
    /// `uniqueItems` use a hash table instead of comparing every pair.
    var schemaEqualityKey: SchemaEqualityKey {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d):
            if let exact = Int64(exactly: d) { return .int(exact) }
            return .double(d)
        case .string(let s): return .string(Array(s.utf8))
        case .array(let a): return .array(a.map(\.schemaEqualityKey))
        case .object(let o):
            var members: [[UInt8]: SchemaEqualityKey] = [:]
            for (key, value) in o { members[Array(key.utf8)] = value.schemaEqualityKey }
            return .object(members)
        }
    }
}

/// See `JSONValue.schemaEqualityKey`. Strings are raw UTF-8 so hashing is code-point exact; integral
/// floats are folded into `.int`.
indirect enum SchemaEqualityKey: Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string([UInt8])
    case array([SchemaEqualityKey])
    case object([[UInt8]: SchemaEqualityKey])
}
