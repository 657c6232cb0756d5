import BrokkrCommon
import Foundation

/// Typed accessors for list and map fields, with the same 400s as the scalar ones.
extension RequestBody {
    /// Whether the body names `key` at all (`null` included): the "omitted = unchanged, null = clear"
    /// fields of partial updates.
    public func has(_ key: String) throws -> Bool { try object()[key] != nil }

    public func optionalStringArray(_ key: String) throws -> [String]? {
        guard let v = try object()[key], v != .null else { return nil }
        guard case .array(let items) = v else { throw APIError(.invalidField, "field \(key) must be an array of strings") }
        return try items.map {
            guard case .string(let s) = $0 else { throw APIError(.invalidField, "field \(key) must be an array of strings") }
            return s
        }
    }

    public func optionalUUIDArray(_ key: String) throws -> [UUID]? {
        try optionalStringArray(key)?.map {
            guard let id = UUID(uuidString: $0) else { throw APIError(.invalidField, "field \(key) must hold UUIDs, got \"\($0)\"") }
            return id
        }
    }

    /// An object of string values (annotations, label filters), keys sorted.
    public func optionalStringMap(_ key: String) throws -> [(String, String)]? {
        guard let v = try object()[key], v != .null else { return nil }
        guard case .object(let o) = v else { throw APIError(.invalidField, "field \(key) must be an object of strings") }
        return try o.keys.sorted().map { k in
            guard case .string(let s) = o[k]! else { throw APIError(.invalidField, "field \(key).\(k) must be a string") }
            return (k, s)
        }
    }

    /// A nested object field as its own body, for nested shapes (`targeting`, `filters`).
    public func optionalObject(_ key: String) throws -> RequestBody? {
        guard let v = try object()[key], v != .null else { return nil }
        guard case .object = v else { throw APIError(.invalidField, "field \(key) must be an object") }
        return RequestBody(value: v)
    }

    public func requiredBool(_ key: String) throws -> Bool {
        guard let b = try optionalBool(key) else { throw APIError(.invalidField, "missing required field \(key)") }
        return b
    }
}
