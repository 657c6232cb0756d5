import Yams

/// Multi-document Kubernetes YAML as the API and agent see it.
public enum YAMLDocuments {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    /// Nil when every document parses, else the parser's message (with its line and column).
    public static func problem(in yaml: String, limits: YAMLLimits = .default) -> String? {
        do {
            _ = try parse(yaml, limits: limits)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Every non-empty document as JSON (YAML 1.1 scalars resolved as Kubernetes' parser does for the
    /// common cases: null, bool, int, float, string). Text past `limits` (size, alias expansion,
    /// nesting) is rejected before it is composed.
    public static func parse(_ yaml: String, limits: YAMLLimits = .default) throws -> [JSONValue] {
        try YAMLBounds.check(yaml, limits: limits)
        do {
            let parser = try Parser(yaml: yaml)
            var documents: [JSONValue] = []
            while let node = try parser.nextRoot() {
                let value = json(node)
                if value != .null { documents.append(value) }
            }
            return documents
        } catch {
            throw ParseError(message: "\(error)".replacingOccurrences(of: "\n", with: " "))
        }
    }

    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return Bool.construct(from: scalar).map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return Int.construct(from: scalar).map { .int(Int64($0)) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return Double.construct(from: scalar).map(JSONValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                object[key.string ?? "\(key)"] = json(value)
            }
            return .object(object)
        case .sequence(let sequence):
            return .array(sequence.map(json))
        case .alias:
            return .null
        }
    }
}
