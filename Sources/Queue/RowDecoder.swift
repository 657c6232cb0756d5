import BrokkrCommon
import Foundation
import PostgresNIO

/// Decodes a contract model from a result row by column name, as the original's `FromRow` derive
/// does: each `CodingKey` names a column (the JSON field names are the column names). Scalars use
/// PostgresNIO's own decoding; `json`/`jsonb` columns decode as JSON (a `JSONValue` or a nested
/// model). Columns the model does not name (`pak_hash`) are never read.
public struct RowDecoder: Decoder {
    let row: PostgresRandomAccessRow
    public var codingPath: [any CodingKey] { [] }
    public var userInfo: [CodingUserInfoKey: Any] { [:] }

    public init(_ row: PostgresRow) { self.row = PostgresRandomAccessRow(row) }

    public static func decode<T: Decodable>(_ type: T.Type, from row: PostgresRow) throws -> T {
        try T(from: RowDecoder(row))
    }

    public func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Columns<Key>(row: row))
    }

    public func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "a row is a keyed container"))
    }

    public func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: [], debugDescription: "a row is a keyed container"))
    }
}

private struct Columns<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let row: PostgresRandomAccessRow
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { (0..<row.count).compactMap { Key(stringValue: row[$0].columnName) } }

    func contains(_ key: Key) -> Bool { row.contains(key.stringValue) }

    func decodeNil(forKey key: Key) throws -> Bool {
        !row.contains(key.stringValue) || row[key.stringValue].bytes == nil
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard row.contains(key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "the query returns no column \(key.stringValue)"))
        }
        let cell = row[key.stringValue]
        if cell.dataType == .json || cell.dataType == .jsonb {
            let text = try cell.decode(String.self)
            if type == JSONValue.self { return try JSONValue.parse(text) as! T }
            if type == String.self { return text as! T }
            return try ContractJSON.decode(type, from: text)
        }
        if let decodable = type as? any PostgresDecodable.Type {
            return try Self.decode(decodable, cell) as! T
        }
        throw DecodingError.typeMismatch(type, .init(codingPath: [key], debugDescription: "column \(key.stringValue) has no decoding to \(type)"))
    }

    private static func decode<D: PostgresDecodable>(_ type: D.Type, _ cell: PostgresCell) throws -> D {
        try cell.decode(D.self)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw DecodingError.typeMismatch(type, .init(codingPath: [key], debugDescription: "nested rows are not supported"))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [key], debugDescription: "nested rows are not supported"))
    }

    func superDecoder() throws -> any Decoder { RowDecoderFailure() }
    func superDecoder(forKey key: Key) throws -> any Decoder { RowDecoderFailure() }
}

/// What `superDecoder` hands out: rows have no class hierarchy to decode.
private struct RowDecoderFailure: Decoder {
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private var error: DecodingError { .typeMismatch(Any.self, .init(codingPath: [], debugDescription: "rows have no super decoder")) }
    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw error }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw error }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw error }
}

extension PostgresRowSequence {
    /// Every row decoded as a contract model.
    public func models<T: Decodable>(_ type: T.Type) async throws -> [T] {
        var out: [T] = []
        for try await row in self { out.append(try RowDecoder.decode(type, from: row)) }
        return out
    }
}
