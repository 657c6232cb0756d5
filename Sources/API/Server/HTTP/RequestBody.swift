import BrokkrCommon
import Foundation
import Hummingbird
import NIOCore

/// A parsed JSON request body with typed field accessors that answer 400 with the field's name.
public struct RequestBody: Sendable {
    public let value: JSONValue

    public static let maxBytes = 8 << 20

    public static func read(_ request: Request) async throws -> RequestBody {
        let bytes = try await RequestBytes.read(request)
        do {
            return RequestBody(value: try JSONValue.parse(bytes))
        } catch let error as JSONParseError {
            throw APIError(.invalidRequestBody, "malformed JSON body: \(error)")
        }
    }

    /// The body as an object; anything else is a 400.
    public func object() throws -> [String: JSONValue] {
        guard case .object(let o) = value else { throw APIError(.invalidRequestBody, "request body must be a JSON object") }
        return o
    }

    public func requiredString(_ key: String) throws -> String {
        guard let v = try object()[key], v != .null else { throw APIError(.invalidField, "missing required field \(key)") }
        guard case .string(let s) = v else { throw APIError(.invalidField, "field \(key) must be a string") }
        return s
    }

    public func optionalString(_ key: String) throws -> String? {
        guard let v = try object()[key], v != .null else { return nil }
        guard case .string(let s) = v else { throw APIError(.invalidField, "field \(key) must be a string or null") }
        return s
    }

    public func requiredUUID(_ key: String) throws -> UUID {
        let s = try requiredString(key)
        guard let id = UUID(uuidString: s) else { throw APIError(.invalidField, "field \(key) must be a UUID, got \"\(s)\"") }
        return id
    }

    public func optionalUUID(_ key: String) throws -> UUID? {
        guard let s = try optionalString(key) else { return nil }
        guard let id = UUID(uuidString: s) else { throw APIError(.invalidField, "field \(key) must be a UUID, got \"\(s)\"") }
        return id
    }

    public func optionalBool(_ key: String) throws -> Bool? {
        guard let v = try object()[key], v != .null else { return nil }
        guard case .bool(let b) = v else { throw APIError(.invalidField, "field \(key) must be a boolean") }
        return b
    }

    public func optionalInt(_ key: String) throws -> Int? {
        guard let v = try object()[key], v != .null else { return nil }
        switch v {
        case .int(let i): return Int(i)
        case .double(let d) where d == d.rounded() && abs(d) < 1e15: return Int(d)
        default: throw APIError(.invalidField, "field \(key) must be an integer")
        }
    }

    /// A bare JSON string body (stack/template labels), also accepting `{"label": "..."}`.
    public func bareString(field: String) throws -> String {
        switch value {
        case .string(let s): return s
        case .object(let o):
            guard case .string(let s)? = o[field] else { throw APIError(.invalidRequestBody, "body must be a JSON string or an object with a string \(field)") }
            return s
        default: throw APIError(.invalidRequestBody, "body must be a JSON string")
        }
    }
}
