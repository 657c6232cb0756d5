import BrokkrCommon
import Foundation

/// A field path as server-side apply tracks it: elements like `f:spec`, `k:{"name":"app"}` (an item of a
/// list keyed by `name`), `v:"x"` (an item of a set-like list of scalars).
typealias FieldPath = [String]

/// A set of owned field paths. A path that ends in a `k:`/`v:` element stands for the list item itself.
typealias FieldSet = Set<FieldPath>

/// How the items of a list are merged and owned.
enum ListType: Equatable {
    /// Replaced as a whole, owned as one field.
    case atomic
    /// A list of scalars merged as a set (`finalizers`).
    case set
    /// A list of objects merged by key fields (`containers` by `name`).
    case map([String])
}

/// Where in an object a walk is, for deciding list types: built-in kinds use a table of well-known
/// list fields (like strategic merge patch keys), custom resources their CRD schema.
enum SchemaCursor {
    case builtin
    case schema(JSONValue?)

    func child(_ field: String) -> SchemaCursor {
        switch self {
        case .builtin: return .builtin
        case .schema(let s):
            guard let s else { return .schema(nil) }
            if let p = s["properties"]?[field] { return .schema(p) }
            if let ap = s["additionalProperties"], ap.isObject { return .schema(ap) }
            return .schema(nil)
        }
    }

    var items: SchemaCursor {
        switch self {
        case .builtin: return .builtin
        case .schema(let s): return .schema(s?["items"])
        }
    }

    func listType(field: String, items: [JSONValue]) -> ListType {
        let declared: ListType
        switch self {
        case .builtin:
            declared = BuiltinListTypes.listType(field: field, items: items)
        case .schema(let s):
            switch s?["x-kubernetes-list-type"]?.stringValue {
            case "map":
                let keys = (s?["x-kubernetes-list-map-keys"]?.arrayValue ?? []).compactMap { $0.stringValue }
                declared = keys.isEmpty ? .atomic : .map(keys)
            case "set": declared = .set
            default: declared = .atomic
            }
        }
        // A list whose items do not fit the declared shape is treated as atomic.
        switch declared {
        case .map(let keys):
            var seen = Set<String>()
            for item in items {
                guard item.isObject, let k = FieldSets.itemKey(item, keys: keys) else { return .atomic }
                if !seen.insert(k).inserted { return .atomic }
            }
            return declared
        case .set:
            var seen = Set<JSONValue>()
            for item in items {
                if item.isObject || item.arrayValue != nil { return .atomic }
                if !seen.insert(item).inserted { return .atomic }
            }
            return .set
        case .atomic:
            return .atomic
        }
    }
}

enum BuiltinListTypes {
    static func listType(field: String, items: [JSONValue]) -> ListType {
        switch field {
        case "containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets":
            return .map(["name"])
        case "volumeMounts": return .map(["mountPath"])
        case "volumeDevices": return .map(["devicePath"])
        case "hostAliases": return .map(["ip"])
        case "ports":
            if items.contains(where: { $0["containerPort"] != nil }) { return .map(["containerPort", "protocol"]) }
            if items.contains(where: { $0["port"] != nil }) { return .map(["port", "protocol"]) }
            return .atomic
        case "conditions": return .map(["type"])
        case "ownerReferences": return .map(["uid"])
        case "finalizers": return .set
        default: return .atomic
        }
    }

    /// Defaults applied to key fields that are missing from an item.
    static func defaultKeyValue(_ key: String) -> JSONValue? {
        key == "protocol" ? .string("TCP") : nil
    }
}

enum FieldSets {
    /// Metadata fields nobody owns.
    static let ignoredMetadata: Set<String> = [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
        "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds",
    ]

    /// The JSON text of an item's key, e.g. `{"name":"app"}`, or nil when a key field is missing.
    static func itemKey(_ item: JSONValue, keys: [String]) -> String? {
        var o: [String: JSONValue] = [:]
        for k in keys {
            if let v = item[k] { o[k] = v } else if let d = BuiltinListTypes.defaultKeyValue(k) { o[k] = d } else { return nil }
        }
        return JSONValue.object(o).kubeSerialized()
    }

    static func keyElement(_ item: JSONValue, keys: [String]) -> String? {
        itemKey(item, keys: keys).map { "k:" + $0 }
    }

    /// All owned-field paths of a (partial) object: every leaf, plus every keyed/set list item.
    /// `exclude` decides which top-level fields are skipped (status, apiVersion, ...).
    static func fieldSet(of object: JSONValue, cursor: SchemaCursor, topLevel: (String) -> Bool) -> FieldSet {
        var out = FieldSet()
        guard case .object(let o) = object else { return out }
        for (k, v) in o where topLevel(k) {
            if k == "metadata", case .object(let meta) = v {
                for (mk, mv) in meta where !ignoredMetadata.contains(mk) {
                    walk(mv, path: ["f:metadata", "f:\(mk)"], field: mk, cursor: .builtin, into: &out)
                }
                continue
            }
            walk(v, path: ["f:\(k)"], field: k, cursor: cursor.child(k), into: &out)
        }
        return out
    }

    private static func walk(_ v: JSONValue, path: FieldPath, field: String, cursor: SchemaCursor, into out: inout FieldSet) {
        switch v {
        case .object(let o) where !o.isEmpty:
            for (k, cv) in o {
                walk(cv, path: path + ["f:\(k)"], field: k, cursor: cursor.child(k), into: &out)
            }
        case .array(let items) where !items.isEmpty:
            switch cursor.listType(field: field, items: items) {
            case .atomic:
                out.insert(path)
            case .set:
                for item in items { out.insert(path + ["v:" + item.kubeSerialized()]) }
            case .map(let keys):
                for item in items {
                    guard let ke = keyElement(item, keys: keys) else { continue }
                    let ip = path + [ke]
                    out.insert(ip)
                    if case .object(let io) = item {
                        for (k, cv) in io {
                            walk(cv, path: ip + ["f:\(k)"], field: k, cursor: cursor.items.child(k), into: &out)
                        }
                    }
                }
            }
        default:
            out.insert(path)
        }
    }

    // MARK: - Path resolution

    /// The value at a field path, or nil if absent.
    static func value(at path: FieldPath, in object: JSONValue) -> JSONValue? {
        var cur = object
        for el in path {
            if el.hasPrefix("f:") {
                guard let next = cur[String(el.dropFirst(2))] else { return nil }
                cur = next
            } else if el.hasPrefix("k:") {
                guard let items = cur.arrayValue, let idx = indexOfKeyed(items, element: el) else { return nil }
                cur = items[idx]
            } else if el.hasPrefix("v:") {
                guard let items = cur.arrayValue, let target = try? JSONValue.parse(String(el.dropFirst(2))),
                    let found = items.first(where: { jsonEqual($0, target) })
                else { return nil }
                cur = found
            } else if el.hasPrefix("i:") {
                guard let items = cur.arrayValue, let i = Int(el.dropFirst(2)), i >= 0, i < items.count else { return nil }
                cur = items[i]
            } else {
                return nil
            }
        }
        return cur
    }

    static func indexOfKeyed(_ items: [JSONValue], element: String) -> Int? {
        guard case .object(let keyObj)? = try? JSONValue.parse(String(element.dropFirst(2))) else { return nil }
        return items.firstIndex { item in
            guard item.isObject else { return false }
            for (k, v) in keyObj {
                let actual = item[k] ?? BuiltinListTypes.defaultKeyValue(k)
                guard let actual, jsonEqual(actual, v) else { return false }
            }
            return true
        }
    }

    /// Removes the value at a path (a field, or a list item). Missing paths are ignored.
    static func remove(_ path: FieldPath, from object: inout JSONValue) {
        guard let first = path.first else { return }
        let rest = Array(path.dropFirst())
        if first.hasPrefix("f:") {
            let key = String(first.dropFirst(2))
            guard case .object(var o) = object else { return }
            if rest.isEmpty {
                o[key] = nil
            } else if var child = o[key] {
                remove(rest, from: &child)
                o[key] = child
            }
            object = .object(o)
        } else if first.hasPrefix("k:") || first.hasPrefix("v:") {
            guard case .array(var items) = object else { return }
            let idx: Int?
            if first.hasPrefix("k:") {
                idx = indexOfKeyed(items, element: first)
            } else if let target = try? JSONValue.parse(String(first.dropFirst(2))) {
                idx = items.firstIndex(where: { jsonEqual($0, target) })
            } else {
                idx = nil
            }
            guard let idx else { return }
            if rest.isEmpty {
                items.remove(at: idx)
            } else {
                var child = items[idx]
                remove(rest, from: &child)
                items[idx] = child
            }
            object = .array(items)
        }
    }

    // MARK: - fieldsV1 trees

    /// Converts a set of paths to the `fieldsV1` tree form used in `managedFields`.
    static func tree(from set: FieldSet) -> JSONValue {
        final class Node {
            var children: [String: Node] = [:]
            var isMember = false
        }
        let root = Node()
        for path in set {
            var n = root
            for el in path {
                if let c = n.children[el] {
                    n = c
                } else {
                    let c = Node()
                    n.children[el] = c
                    n = c
                }
            }
            n.isMember = true
        }
        func render(_ n: Node) -> JSONValue {
            var o: [String: JSONValue] = [:]
            for (k, c) in n.children { o[k] = render(c) }
            if n.isMember && !n.children.isEmpty { o["."] = .object([:]) }
            return .object(o)
        }
        return render(root)
    }

    /// Converts a `fieldsV1` tree back to a set of paths.
    static func set(fromTree tree: JSONValue) -> FieldSet {
        var out = FieldSet()
        func visit(_ node: JSONValue, _ path: FieldPath) {
            guard case .object(let o) = node else { return }
            for (k, child) in o {
                if k == "." {
                    if !path.isEmpty { out.insert(path) }
                    continue
                }
                let p = path + [k]
                if case .object(let co) = child, !co.isEmpty {
                    visit(child, p)
                } else {
                    out.insert(p)
                }
            }
        }
        visit(tree, [])
        return out
    }

    /// The path as Kubernetes prints it in conflict messages: `.spec.containers[name="app"].image`.
    static func describe(_ path: FieldPath) -> String {
        var out = ""
        for el in path {
            if el.hasPrefix("f:") {
                out += "." + el.dropFirst(2)
            } else if el.hasPrefix("k:") {
                if case .object(let o)? = try? JSONValue.parse(String(el.dropFirst(2))) {
                    out += "[" + o.keys.sorted().map { "\($0)=\(o[$0]!.kubeSerialized())" }.joined(separator: ",") + "]"
                } else {
                    out += "[" + el.dropFirst(2) + "]"
                }
            } else if el.hasPrefix("v:") {
                out += "[=" + el.dropFirst(2) + "]"
            } else if el.hasPrefix("i:") {
                out += "[" + el.dropFirst(2) + "]"
            }
        }
        return out
    }
}

/// Equality that treats `1` and `1.0` as the same number.
func jsonEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y
    case (.array(let x), .array(let y)):
        guard x.count == y.count else { return false }
        return zip(x, y).allSatisfy { jsonEqual($0, $1) }
    case (.object(let x), .object(let y)):
        guard x.count == y.count else { return false }
        for (k, v) in x {
            guard let w = y[k], jsonEqual(v, w) else { return false }
        }
        return true
    default: return a == b
    }
}
