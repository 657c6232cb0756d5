// Rejects YAML whose meaning is much larger than its text before anything builds that meaning.
//
// An alias (`*a`) repeats a whole anchored subtree, so nine lines of nested aliases ("billion laughs")
// stand for 10⁹ nodes; and Yams composes, hashes mapping keys and converts recursively. The scan
// below reads libyaml's event stream once, keeping for each anchor the size and height its subtree
// expands to, so an alias costs one lookup however much it repeats: linear in the text whatever
// the expansion. Yams exposes no events, hence the direct use of the libyaml it is built on.

import CYaml

public struct YAMLLimits: Sendable, Equatable {
    /// Largest YAML text accepted, in bytes.
    public var maxBytes: Int
    /// Nodes that aliases may add to a stream, counting each alias as the full subtree it repeats.
    public var maxAliasExpandedNodes: Int
    /// Deepest nesting of collections, counted after alias expansion.
    public var maxDepth: Int

    public init(maxBytes: Int = 8 * 1024 * 1024, maxAliasExpandedNodes: Int = 100_000, maxDepth: Int = 100) {
        self.maxBytes = maxBytes
        self.maxAliasExpandedNodes = maxAliasExpandedNodes
        self.maxDepth = maxDepth
    }

    public static let `default` = YAMLLimits()
}

enum YAMLBounds {
    /// The size and height a node stands for once its aliases are expanded.
    private struct Extent {
        var nodes = 1
        var height = 1
    }

    /// A collection whose end event has not come yet.
    private struct OpenCollection {
        var anchor: String?
        var nodes = 1
        var childHeight = 0
    }

    /// Throws a message naming the exceeded limit. Syntax errors are left to the real parse, which
    /// reports them with positions; the scan just stops there.
    static func check(_ yaml: String, limits: YAMLLimits) throws(YAMLDocuments.ParseError) {
        let bytes = yaml.utf8.count
        guard bytes <= limits.maxBytes else {
            throw YAMLDocuments.ParseError(message: "YAML document of \(bytes) bytes exceeds the limit of \(limits.maxBytes) bytes")
        }
        var text = Array(yaml.utf8)
        if let message = text.withUnsafeMutableBufferPointer({ scan($0, limits: limits) }) {
            throw YAMLDocuments.ParseError(message: message)
        }
    }

    private static func scan(_ input: UnsafeMutableBufferPointer<UInt8>, limits: YAMLLimits) -> String? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, input.baseAddress, input.count)

        var anchors: [String: Extent] = [:]
        var open: [OpenCollection] = []
        var aliasNodes = 0

        // Adds a finished node to its parent and checks the limits it may have pushed past.
        func close(_ node: Extent, anchor: String?) -> String? {
            if open.count + node.height > limits.maxDepth {
                return "YAML nesting exceeds the limit of \(limits.maxDepth) levels (counting aliases as the nodes they repeat)"
            }
            if let anchor { anchors[anchor] = node }
            guard !open.isEmpty else { return nil }
            let (sum, overflow) = open[open.count - 1].nodes.addingReportingOverflow(node.nodes)
            open[open.count - 1].nodes = overflow ? .max : sum
            open[open.count - 1].childHeight = max(open[open.count - 1].childHeight, node.height)
            return nil
        }

        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
            defer { yaml_event_delete(&event) }
            var problem: String?
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_SCALAR_EVENT:
                problem = close(Extent(), anchor: name(event.data.scalar.anchor))
            case YAML_ALIAS_EVENT:
                // An undefined alias is the parser's error to report; count it as one node.
                let extent = name(event.data.alias.anchor).flatMap { anchors[$0] } ?? Extent()
                aliasNodes = aliasNodes > limits.maxAliasExpandedNodes ? aliasNodes : aliasNodes + extent.nodes
                if aliasNodes > limits.maxAliasExpandedNodes || extent.nodes > limits.maxAliasExpandedNodes {
                    return "YAML aliases expand to more than \(limits.maxAliasExpandedNodes) nodes"
                }
                problem = close(extent, anchor: nil)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let anchor =
                    event.type == YAML_SEQUENCE_START_EVENT
                    ? name(event.data.sequence_start.anchor) : name(event.data.mapping_start.anchor)
                open.append(OpenCollection(anchor: anchor))
                if open.count > limits.maxDepth {
                    return "YAML nesting exceeds the limit of \(limits.maxDepth) levels"
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let finished = open.removeLast()
                problem = close(Extent(nodes: finished.nodes, height: finished.childHeight + 1), anchor: finished.anchor)
            default:
                break
            }
            if let problem { return problem }
        }
    }

    private static func name(_ anchor: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        anchor.map { String(cString: $0) }
    }
}
