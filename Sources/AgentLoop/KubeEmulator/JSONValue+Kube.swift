import BrokkrCommon
import Foundation

/// What the emulator needs of a JSON value beyond Common's `JSONValue` (every Kubernetes object it
/// holds is one): integer reads that accept integral floats, paths of object keys, Kubernetes' type
/// names, and serialisation as the API server writes it (integral floats without a fraction).
extension JSONValue {
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 9e18: return Int64(d)
        default: return nil
        }
    }
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    /// The value at a path of object keys, or nil when any step is missing.
    public func value(at path: [String]) -> JSONValue? {
        var cur: JSONValue = self
        for key in path {
            guard let next = cur[key] else { return nil }
            cur = next
        }
        return cur
    }

    /// Sets the value at a path of object keys, creating intermediate objects.
    /// Passing nil removes the key.
    public mutating func setValue(_ value: JSONValue?, at path: [String]) {
        guard let first = path.first else {
            if let value { self = value }
            return
        }
        if case .object(var o) = self {
            if path.count == 1 {
                o[first] = value
            } else {
                var child = o[first] ?? .object([:])
                if !child.isObject { child = .object([:]) }
                child.setValue(value, at: Array(path.dropFirst()))
                o[first] = child
            }
            self = .object(o)
        } else if value != nil {
            self = .object([:])
            setValue(value, at: path)
        }
    }

    /// A short name of the JSON type, as Kubernetes validation messages print it.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// JSON text as Go's encoding/json writes it: keys sorted, `3` rather than `3.0`.
    public func kubeSerialized(pretty: Bool = false) -> String {
        serialized(pretty: pretty, integralDoubles: .asIntegers)
    }

    public var jsonData: Data { Data(kubeSerialized().utf8) }
}
