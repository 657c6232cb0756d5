import BrokkrCommon
import Foundation
import Yams

public struct YAMLConversionError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

extension JSONValue {
    /// Parses one YAML document (JSON is YAML too) into a JSON value. An empty document is `.null`.
    public static func parseYAML(_ text: String) throws -> JSONValue {
        guard let node = try Yams.compose(yaml: text) else { return .null }
        return try fromYAMLNode(node)
    }

    /// Parses a multi-document YAML stream; empty documents are skipped.
    public static func parseYAMLDocuments(_ text: String) throws -> [JSONValue] {
        var out: [JSONValue] = []
        var seq = try Yams.compose_all(yaml: text)
        while let node = seq.next() {
            let v = try fromYAMLNode(node)
            if !v.isNull { out.append(v) }
        }
        if let error = seq.error { throw error }
        return out
    }

    static func fromYAMLNode(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            let tag = Tag.Name(rawValue: node.tag.rawValue)
            if tag == .null { return .null }
            if tag == .bool, let b = node.bool { return .bool(b) }
            if tag == .int, let i = node.int { return .int(Int64(i)) }
            if tag == .float, let d = node.float { return .double(d) }
            return .string(scalar.string)
        case .mapping(let mapping):
            var o: [String: JSONValue] = [:]
            for (k, v) in mapping {
                let key: String
                if case .scalar(let ks) = k {
                    key = ks.string
                } else {
                    throw YAMLConversionError(message: "mapping keys must be scalars")
                }
                if key == "<<", case .mapping(let merged) = v {
                    for (mk, mv) in merged {
                        if case .scalar(let mks) = mk, o[mks.string] == nil {
                            o[mks.string] = try fromYAMLNode(mv)
                        }
                    }
                    continue
                }
                o[key] = try fromYAMLNode(v)
            }
            return .object(o)
        case .sequence(let seq):
            return .array(try seq.map { try fromYAMLNode($0) })
        case .alias:
            throw YAMLConversionError(message: "unresolved YAML alias")
        }
    }

    /// Serialises the value as YAML (block style), for humans and for tests.
    public func yamlString() -> String {
        var out = ""
        JSONValue.writeYAML(self, indent: 0, to: &out, inSequence: false)
        return out
    }

    private static func scalarText(_ v: JSONValue) -> String {
        switch v {
        case .string(let s):
            return s.isEmpty || needsQuoting(s) ? v.kubeSerialized() : s
        default:
            return v.kubeSerialized()
        }
    }

    private static func needsQuoting(_ s: String) -> Bool {
        let lowered = s.lowercased()
        if ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"].contains(lowered) { return true }
        if Double(s) != nil || Int(s) != nil { return true }
        if let f = s.first, "-?:,[]{}#&*!|>'\"%@` ".contains(f) { return true }
        if s.last == " " || s.contains(": ") || s.contains(" #") || s.contains("\n") { return true }
        return false
    }

    private static func writeYAML(_ v: JSONValue, indent: Int, to out: inout String, inSequence: Bool) {
        let pad = String(repeating: "  ", count: indent)
        switch v {
        case .object(let o):
            if o.isEmpty {
                out += "{}\n"
                return
            }
            var first = true
            for k in o.keys.sorted() {
                let val = o[k]!
                let prefix = (first && inSequence) ? "" : pad
                first = false
                let key = needsQuoting(k) ? JSONValue.string(k).kubeSerialized() : k
                switch val {
                case .object(let c) where !c.isEmpty:
                    out += "\(prefix)\(key):\n"
                    writeYAML(val, indent: indent + 1, to: &out, inSequence: false)
                case .array(let a) where !a.isEmpty:
                    out += "\(prefix)\(key):\n"
                    writeYAML(val, indent: indent, to: &out, inSequence: false)
                default:
                    out += "\(prefix)\(key): "
                    writeYAML(val, indent: indent + 1, to: &out, inSequence: false)
                }
            }
        case .array(let a):
            if a.isEmpty {
                out += "[]\n"
                return
            }
            for item in a {
                out += "\(pad)- "
                switch item {
                case .object(let c) where !c.isEmpty:
                    writeYAML(item, indent: indent + 1, to: &out, inSequence: true)
                case .array(let c) where !c.isEmpty:
                    out += "\n"
                    writeYAML(item, indent: indent + 1, to: &out, inSequence: false)
                default:
                    writeYAML(item, indent: indent + 1, to: &out, inSequence: false)
                }
            }
        default:
            out += scalarText(v) + "\n"
        }
    }
}
