import BrokkrCommon
import Foundation

struct PatchError: Error {
    var message: String
    /// Invalid JSON patch operations are 422 in Kubernetes; malformed bodies are 400.
    var invalid: Bool = false
}

enum Merge {
    // MARK: - Server-side apply merge

    /// Merges an applied configuration into a live value: maps field by field, keyed lists item by item,
    /// set lists as a union; everything else (scalars, atomic lists) is replaced.
    static func applyMerge(live: JSONValue?, config: JSONValue, field: String, cursor: SchemaCursor) -> JSONValue {
        switch config {
        case .object(let co):
            guard case .object(var lo)? = live else {
                return stripNulls(config)
            }
            for (k, v) in co {
                if v.isNull {
                    lo[k] = nil
                    continue
                }
                lo[k] = applyMerge(live: lo[k], config: v, field: k, cursor: cursor.child(k))
            }
            return .object(lo)
        case .array(let citems):
            let litems = live?.arrayValue ?? []
            let type = cursor.listType(field: field, items: citems)
            switch type {
            case .atomic:
                return stripNulls(config)
            case .set:
                guard cursor.listType(field: field, items: litems + citems) == .set else { return config }
                var out = litems
                for v in citems where !out.contains(where: { jsonEqual($0, v) }) { out.append(v) }
                return .array(out)
            case .map(let keys):
                guard cursor.listType(field: field, items: litems) == .map(keys) else { return stripNulls(config) }
                var out = litems
                for item in citems {
                    guard let ke = FieldSets.keyElement(item, keys: keys) else { continue }
                    if let idx = FieldSets.indexOfKeyed(out, element: ke) {
                        out[idx] = applyMerge(live: out[idx], config: item, field: field, cursor: cursor.items)
                    } else {
                        out.append(stripNulls(item))
                    }
                }
                return .array(out)
            }
        default:
            return config
        }
    }

    static func stripNulls(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(let o):
            var out: [String: JSONValue] = [:]
            for (k, c) in o where !c.isNull { out[k] = stripNulls(c) }
            return .object(out)
        case .array(let a):
            return .array(a.map(stripNulls))
        default:
            return v
        }
    }

    /// After removing fields, drops maps and lists that were left empty by the removal and that nobody owns.
    static func dropEmptyRemovalParents(_ object: inout JSONValue, removed: [FieldPath], keep: FieldSet) {
        for p in removed {
            var parent = Array(p.dropLast())
            while parent.count >= 2 {
                guard let v = FieldSets.value(at: parent, in: object) else { break }
                let empty = (v.objectValue?.isEmpty ?? false) || (v.arrayValue?.isEmpty ?? false)
                guard empty else { break }
                let owned = keep.contains { $0.count >= parent.count && Array($0.prefix(parent.count)) == parent }
                if owned { break }
                FieldSets.remove(parent, from: &object)
                parent.removeLast()
            }
        }
    }

    // MARK: - JSON merge patch (RFC 7386)

    static func mergePatch(_ target: JSONValue?, _ patch: JSONValue) -> JSONValue {
        guard case .object(let po) = patch else { return patch }
        var out: [String: JSONValue] = target?.objectValue ?? [:]
        for (k, v) in po {
            if v.isNull { out[k] = nil } else { out[k] = mergePatch(out[k], v) }
        }
        return .object(out)
    }

    // MARK: - Strategic merge patch

    /// Strategic merge patch for built-in kinds: lists with a merge key (containers, env, ports, ...)
    /// merge item by item, `$patch`, `$retainKeys`, `$setElementOrder` and `$deleteFromPrimitiveList`
    /// directives are honoured. Other lists are replaced.
    static func strategicMerge(_ original: JSONValue?, _ patch: JSONValue, field: String = "") -> JSONValue? {
        switch patch {
        case .object(let po):
            if po["$patch"]?.stringValue == "delete" { return nil }
            if po["$patch"]?.stringValue == "replace" {
                var o = po
                o["$patch"] = nil
                return .object(o.filter { !$0.key.hasPrefix("$") })
            }
            var out: [String: JSONValue] = original?.objectValue ?? [:]
            for (k, v) in po where !k.hasPrefix("$") {
                if v.isNull {
                    out[k] = nil
                    continue
                }
                if let merged = strategicMerge(out[k], v, field: k) { out[k] = merged } else { out[k] = nil }
            }
            for (k, v) in po where k.hasPrefix("$deleteFromPrimitiveList/") {
                let name = String(k.dropFirst("$deleteFromPrimitiveList/".count))
                if let items = out[name]?.arrayValue, let del = v.arrayValue {
                    out[name] = .array(items.filter { item in !del.contains(where: { jsonEqual($0, item) }) })
                }
            }
            for (k, v) in po where k.hasPrefix("$setElementOrder/") {
                let name = String(k.dropFirst("$setElementOrder/".count))
                if let items = out[name]?.arrayValue, let order = v.arrayValue {
                    out[name] = .array(reorder(items, by: order, field: name))
                }
            }
            if let retain = po["$retainKeys"]?.arrayValue {
                let keys = Set(retain.compactMap { $0.stringValue })
                out = out.filter { keys.contains($0.key) }
            }
            return .object(out)
        case .array(let pitems):
            let oitems = original?.arrayValue ?? []
            let type = BuiltinListTypes.listType(field: field, items: pitems.isEmpty ? oitems : pitems)
            switch type {
            case .atomic:
                // `$patch: replace` items inside a replaced list are directives only.
                return .array(pitems.filter { $0["$patch"] == nil })
            case .set:
                var out = oitems
                for v in pitems where !out.contains(where: { jsonEqual($0, v) }) { out.append(v) }
                return .array(out)
            case .map(let keys):
                let mergeKey = keys[0]
                if pitems.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
                    return .array(pitems.filter { $0["$patch"] == nil })
                }
                var out = oitems
                for item in pitems {
                    guard let kv = item[mergeKey] else { continue }
                    let idx = out.firstIndex { $0[mergeKey].map { jsonEqual($0, kv) } ?? false }
                    if item["$patch"]?.stringValue == "delete" {
                        if let idx { out.remove(at: idx) }
                        continue
                    }
                    if let idx {
                        if let merged = strategicMerge(out[idx], item, field: field) { out[idx] = merged } else { out.remove(at: idx) }
                    } else if let created = strategicMerge(nil, item, field: field) {
                        out.append(created)
                    }
                }
                return .array(out)
            }
        default:
            return patch
        }
    }

    private static func reorder(_ items: [JSONValue], by order: [JSONValue], field: String) -> [JSONValue] {
        let type = BuiltinListTypes.listType(field: field, items: items)
        func position(_ item: JSONValue) -> Int? {
            switch type {
            case .map(let keys):
                let k = keys[0]
                return order.firstIndex { o in
                    guard let a = o[k], let b = item[k] else { return false }
                    return jsonEqual(a, b)
                }
            default:
                return order.firstIndex { jsonEqual($0, item) }
            }
        }
        let indexed = items.enumerated().map { ($0.offset, position($0.element) ?? Int.max, $0.element) }
        return indexed.sorted { a, b in a.1 != b.1 ? a.1 < b.1 : a.0 < b.0 }.map { $0.2 }
    }

    // MARK: - JSON patch (RFC 6902)

    static func jsonPatch(_ document: JSONValue, _ patch: JSONValue) throws -> JSONValue {
        guard let ops = patch.arrayValue else { throw PatchError(message: "json patch must be a list of operations") }
        var doc = document
        for op in ops {
            guard let kind = op["op"]?.stringValue else { throw PatchError(message: "missing 'op' in json patch operation", invalid: true) }
            guard let path = op["path"]?.stringValue else { throw PatchError(message: "missing 'path' in json patch operation", invalid: true) }
            let tokens = try pointer(path)
            switch kind {
            case "add":
                guard let value = op["value"] else { throw PatchError(message: "missing 'value' for add", invalid: true) }
                doc = try add(doc, tokens, value)
            case "remove":
                doc = try remove(doc, tokens).0
            case "replace":
                guard let value = op["value"] else { throw PatchError(message: "missing 'value' for replace", invalid: true) }
                doc = try remove(doc, tokens).0
                doc = try add(doc, tokens, value)
            case "move":
                guard let from = op["from"]?.stringValue else { throw PatchError(message: "missing 'from' for move", invalid: true) }
                let (d, v) = try remove(doc, try pointer(from))
                doc = try add(d, tokens, v)
            case "copy":
                guard let from = op["from"]?.stringValue else { throw PatchError(message: "missing 'from' for copy", invalid: true) }
                guard let v = get(doc, try pointer(from)) else { throw PatchError(message: "copy from missing path \(from)", invalid: true) }
                doc = try add(doc, tokens, v)
            case "test":
                guard let v = get(doc, tokens), let want = op["value"], jsonEqual(v, want) else {
                    throw PatchError(message: "testing value \(path) failed", invalid: true)
                }
            default:
                throw PatchError(message: "Unexpected kind: \(kind)", invalid: true)
            }
        }
        return doc
    }

    private static func pointer(_ p: String) throws -> [String] {
        if p.isEmpty { return [] }
        guard p.hasPrefix("/") else { throw PatchError(message: "invalid JSON pointer \(p)", invalid: true) }
        return p.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func get(_ doc: JSONValue, _ tokens: [String]) -> JSONValue? {
        var cur = doc
        for t in tokens {
            switch cur {
            case .object(let o):
                guard let n = o[t] else { return nil }
                cur = n
            case .array(let a):
                guard let i = Int(t), i >= 0, i < a.count else { return nil }
                cur = a[i]
            default: return nil
            }
        }
        return cur
    }

    private static func add(_ doc: JSONValue, _ tokens: [String], _ value: JSONValue) throws -> JSONValue {
        guard let first = tokens.first else { return value }
        let rest = Array(tokens.dropFirst())
        switch doc {
        case .object(var o):
            if rest.isEmpty {
                o[first] = value
            } else {
                guard let child = o[first] else {
                    throw PatchError(message: "add operation does not apply: doc is missing path: \(first)", invalid: true)
                }
                o[first] = try add(child, rest, value)
            }
            return .object(o)
        case .array(var a):
            if rest.isEmpty {
                if first == "-" {
                    a.append(value)
                    return .array(a)
                }
                guard let i = Int(first), i >= 0, i <= a.count else { throw PatchError(message: "add operation index out of bounds", invalid: true) }
                a.insert(value, at: i)
                return .array(a)
            }
            guard let i = Int(first), i >= 0, i < a.count else { throw PatchError(message: "index out of bounds", invalid: true) }
            a[i] = try add(a[i], rest, value)
            return .array(a)
        default:
            throw PatchError(message: "add operation does not apply: doc is missing path", invalid: true)
        }
    }

    private static func remove(_ doc: JSONValue, _ tokens: [String]) throws -> (JSONValue, JSONValue) {
        guard let first = tokens.first else { throw PatchError(message: "cannot remove the root", invalid: true) }
        let rest = Array(tokens.dropFirst())
        switch doc {
        case .object(var o):
            guard let child = o[first] else {
                throw PatchError(message: "remove operation does not apply: doc is missing path: \(first)", invalid: true)
            }
            if rest.isEmpty {
                o[first] = nil
                return (.object(o), child)
            }
            let (nc, v) = try remove(child, rest)
            o[first] = nc
            return (.object(o), v)
        case .array(var a):
            guard let i = Int(first), i >= 0, i < a.count else { throw PatchError(message: "remove operation index out of bounds", invalid: true) }
            if rest.isEmpty {
                let v = a.remove(at: i)
                return (.array(a), v)
            }
            let (nc, v) = try remove(a[i], rest)
            a[i] = nc
            return (.array(a), v)
        default:
            throw PatchError(message: "remove operation does not apply: doc is missing path", invalid: true)
        }
    }
}
