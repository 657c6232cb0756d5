import Foundation

/// How contract models travel as JSON, on both sides of the wire: snake_case keys (each model's
/// `CodingKeys`), RFC 3339 timestamps with microseconds (what PostgreSQL stores), lowercase UUIDs,
/// and `null` for an absent optional field, as the original (serde) writes it.
public enum ContractJSON {
    /// Encodes with `ContractJSONEncoder`, which writes JSON text directly (no intermediate tree).
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let writer = ContractJSONWriter()
        try writer.write(value)
        return writer.bytes
    }

    public static func encodeString<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }

    /// A model as a `JSONValue` (event payloads, audit details built from a model).
    public static func value<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONValue.parse(try encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Sequence<UInt8>) throws -> T {
        try decoder.decode(type, from: Data(bytes))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try decoder.decode(type, from: Data(text.utf8))
    }

    /// One decoder for the process: `JSONDecoder` is thread-safe once configured.
    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 timestamp: \(text)")
            }
            return date
        }
        return decoder
    }()

    /// A decoding failure as the sentence a client can act on, naming the field by its JSON path.
    /// `nil` for a body that is not JSON at all.
    public static func describe(_ error: DecodingError) -> String? {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (last.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing required field \(path(context.codingPath, key))"
        case .valueNotFound(_, let context):
            return "field \(path(context.codingPath)) must not be null"
        case .typeMismatch(let type, let context):
            return context.codingPath.isEmpty
                ? "request body must be \(typeName(type))"
                : "field \(path(context.codingPath)) must be \(typeName(type))"
        case .dataCorrupted(let context):
            guard !context.codingPath.isEmpty else { return nil }
            return "field \(path(context.codingPath)) is invalid: \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int32.Type, is Int64.Type: return "an integer"
        case is Double.Type: return "a number"
        case is [Any].Type: return "an array"
        case is [String: Any].Type: return "an object"
        default: return "of type \(type)"
        }
    }
}
