import BrokkrCommon
import Foundation

/// Renders values the way the API server prints a field error's bad value (Go's `%#v`), so that
/// `field is immutable` errors read like the real ones. Label selectors and string lists come out
/// exactly; larger structs (a pod template) are an abbreviation: the fields that are set, sorted, with
/// Go field names.
enum GoSyntax {
    static func quoted(_ s: String) -> String {
        "\"" + s.escaped(["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\t": "\\t"]) + "\""
    }

    static func stringList(_ v: JSONValue?) -> String {
        guard let items = v?.arrayValue else { return "[]string(nil)" }
        return "[]string{" + items.map { quoted($0.stringValue ?? $0.kubeSerialized()) }.joined(separator: ", ") + "}"
    }

    static func stringMap(_ v: JSONValue?) -> String {
        guard let o = v?.objectValue else { return "map[string]string(nil)" }
        return "map[string]string{" + o.keys.sorted().map { "\(quoted($0)):\(quoted(o[$0]?.stringValue ?? ""))" }.joined(separator: ", ") + "}"
    }

    /// `v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`.
    static func labelSelector(_ v: JSONValue?) -> String {
        let expressions: String
        if let exprs = v?["matchExpressions"]?.arrayValue {
            expressions =
                "[]v1.LabelSelectorRequirement{"
                + exprs.map { e in
                    "v1.LabelSelectorRequirement{Key:\(quoted(e["key"]?.stringValue ?? "")), Operator:\(quoted(e["operator"]?.stringValue ?? "")), Values:\(stringList(e["values"]))}"
                }.joined(separator: ", ") + "}"
        } else {
            expressions = "[]v1.LabelSelectorRequirement(nil)"
        }
        return "v1.LabelSelector{MatchLabels:\(stringMap(v?["matchLabels"])), MatchExpressions:\(expressions)}"
    }

    /// `core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{...}, Spec:core.PodSpec{...}}`, abbreviated.
    static func podTemplate(_ v: JSONValue?) -> String {
        "core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{" + fields(v?["metadata"]) + "}, Spec:core.PodSpec{" + fields(v?["spec"]) + "}}"
    }

    static func fields(_ v: JSONValue?) -> String {
        guard let o = v?.objectValue else { return "" }
        return o.keys.sorted().map { "\(fieldName($0)):\(value(o[$0]!, key: $0))" }.joined(separator: ", ")
    }

    static func fieldName(_ key: String) -> String { key.prefix(1).uppercased() + key.dropFirst() }

    static func value(_ v: JSONValue, key: String) -> String {
        switch v {
        case .null: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return quoted(s)
        case .array(let items):
            if items.allSatisfy({ $0.stringValue != nil }) { return stringList(v) }
            return "[]{" + items.map { value($0, key: key) }.joined(separator: ", ") + "}"
        case .object(let o):
            if key == "labels" || key == "annotations" || key == "nodeSelector" { return stringMap(v) }
            return "{" + o.keys.sorted().map { "\(fieldName($0)):\(value(o[$0]!, key: $0))" }.joined(separator: ", ") + "}"
        }
    }
}
