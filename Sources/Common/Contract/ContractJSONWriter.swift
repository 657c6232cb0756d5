import Foundation

/// Models whose absent optional fields are left out of their JSON rather than written as `null`
/// (serde's `skip_serializing_if = "Option::is_none"` in the original).
public protocol OmitsAbsentFields: Encodable {}

/// An `Encoder` that writes JSON text as it goes. Codable has no "container finished" callback, so
/// a container is closed when its owner moves on: by the parent after the child's `encode(to:)`
/// returns, or before the next sibling when a nested container was handed out.
final class ContractJSONWriter {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1024) }

    func write<T: Encodable>(_ value: T) throws {
        switch value {
        case let v as String: writeString(v)
        case let v as UUID: writeUUID(v)
        case let v as Date: writeString(RFC3339.string(from: v))
        case let v as JSONValue: writeJSON(v)
        case let v as Bool: writeRaw(v ? "true" : "false")
        case let v as Int: writeRaw(String(v))
        case let v as Int64: writeRaw(String(v))
        case let v as Int32: writeRaw(String(v))
        case let v as Double: writeRaw(JSONValue.format(v))
        default:
            let encoder = ValueEncoder(writer: self, omitsAbsentFields: value is any OmitsAbsentFields)
            try value.encode(to: encoder)
            encoder.finish()
        }
    }

    func writeRaw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    func writeUUID(_ id: UUID) {
        bytes.append(UInt8(ascii: "\""))
        for byte in id.uuidString.utf8 { bytes.append(byte >= 65 && byte <= 70 ? byte + 32 : byte) }
        bytes.append(UInt8(ascii: "\""))
    }

    func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [92, 110])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [92, 114])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [92, 116])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    func writeJSON(_ value: JSONValue) {
        switch value {
        case .null: writeRaw("null")
        case .bool(let b): writeRaw(b ? "true" : "false")
        case .int(let i): writeRaw(String(i))
        case .double(let d): writeRaw(JSONValue.format(d))
        case .string(let s): writeString(s)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                writeJSON(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(key)
                bytes.append(UInt8(ascii: ":"))
                writeJSON(members[key]!)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}

/// The encoder handed to one value's `encode(to:)`: it opens at most one container and closes it in
/// `finish()`.
private final class ValueEncoder: Encoder {
    enum State { case none, keyed, unkeyed, single }

    let writer: ContractJSONWriter
    /// The value being encoded leaves absent optionals out instead of writing `null`.
    let omitsAbsentFields: Bool
    var state = State.none
    var count = 0
    /// A nested container or super-encoder still open; closed before the next element is written.
    var child: ValueEncoder?
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(writer: ContractJSONWriter, omitsAbsentFields: Bool = false) {
        self.writer = writer
        self.omitsAbsentFields = omitsAbsentFields
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        open(.keyed, "{")
        return KeyedEncodingContainer(KeyedWriter<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        open(.unkeyed, "[")
        return UnkeyedWriter(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        if state == .none { state = .single }
        return SingleWriter(encoder: self)
    }

    private func open(_ kind: State, _ bracket: String) {
        guard state == .none else { return }
        state = kind
        writer.writeRaw(bracket)
    }

    /// Starts the next element: closes an open child, writes the separator and, in an object, the key.
    func next(key: String?) {
        closeChild()
        if count > 0 { writer.bytes.append(UInt8(ascii: ",")) }
        count += 1
        if let key {
            writer.writeString(key)
            writer.bytes.append(UInt8(ascii: ":"))
        }
    }

    func nestedEncoder(key: String?) -> ValueEncoder {
        next(key: key)
        let nested = ValueEncoder(writer: writer)
        child = nested
        return nested
    }

    func closeChild() {
        child?.finish()
        child = nil
    }

    func finish() {
        closeChild()
        switch state {
        case .none: writer.writeRaw("{}")
        case .keyed: writer.writeRaw("}")
        case .unkeyed: writer.writeRaw("]")
        case .single: if count == 0 { writer.writeRaw("null") }
        }
    }
}

private struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws {
        encoder.next(key: key.stringValue)
        encoder.writer.writeRaw("null")
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        encoder.next(key: key.stringValue)
        try encoder.writer.write(value)
    }

    // An absent optional is written as `null` (serde's default), not left out, unless the type
    // says otherwise (`OmitsAbsentFields`).
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        try encodeIfPresent(value, key)
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeIfPresent(value as Bool?, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeIfPresent(value as String?, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeIfPresent(value as Double?, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeIfPresent(value as Int?, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeIfPresent(value as Int32?, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeIfPresent(value as Int64?, key) }

    private mutating func encodeIfPresent<T: Encodable>(_ value: T?, _ key: Key) throws {
        if let value { try encode(value, forKey: key) } else if !encoder.omitsAbsentFields { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        encoder.nestedEncoder(key: key.stringValue).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder.nestedEncoder(key: key.stringValue).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { encoder.nestedEncoder(key: "super") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder.nestedEncoder(key: key.stringValue) }
}

private struct UnkeyedWriter: UnkeyedEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { [] }
    var count: Int { encoder.count }

    mutating func encodeNil() throws {
        encoder.next(key: nil)
        encoder.writer.writeRaw("null")
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.next(key: nil)
        try encoder.writer.write(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        encoder.nestedEncoder(key: nil).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        encoder.nestedEncoder(key: nil).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { encoder.nestedEncoder(key: nil) }
}

private struct SingleWriter: SingleValueEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws {
        encoder.count += 1
        encoder.writer.writeRaw("null")
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.count += 1
        try encoder.writer.write(value)
    }
}
