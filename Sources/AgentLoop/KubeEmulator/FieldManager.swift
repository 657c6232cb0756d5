import BrokkrCommon
import Foundation

/// One `metadata.managedFields` entry with its field set decoded.
struct ManagedEntry {
    var manager: String
    var operation: String
    var apiVersion: String
    var time: String?
    var subresource: String?
    var fields: FieldSet

    func sameIdentity(_ manager: String, _ operation: String, _ subresource: String?) -> Bool {
        self.manager == manager && self.operation == operation && (self.subresource ?? "") == (subresource ?? "")
    }

    /// The manager as conflict messages print it.
    var printed: String {
        var s = JSONValue.string(manager).kubeSerialized()
        if let subresource, !subresource.isEmpty { s += " with subresource \(JSONValue.string(subresource).kubeSerialized())" }
        if operation == "Update" { s += " using \(apiVersion)" }
        return s
    }
}

/// A field owned by another manager that an apply would change.
struct FieldConflict {
    var manager: String
    var printedManager: String
    var path: FieldPath
}

struct ApplyConflictError: Error {
    var conflicts: [FieldConflict]

    var message: String {
        if conflicts.count == 1 {
            let c = conflicts[0]
            return "Apply failed with 1 conflict: conflict with \(c.printedManager): \(FieldSets.describe(c.path))"
        }
        var byManager: [String: [FieldConflict]] = [:]
        for c in conflicts { byManager[c.printedManager, default: []].append(c) }
        var lines: [String] = []
        for m in byManager.keys.sorted() {
            lines.append("conflicts with \(m):")
            for c in byManager[m]! { lines.append("- \(FieldSets.describe(c.path))") }
        }
        return "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
    }

    var causes: [JSONValue] {
        conflicts.map { c in
            [
                "reason": "FieldManagerConflict",
                "message": .string("conflict with \(c.printedManager)"),
                "field": .string(FieldSets.describe(c.path)),
            ]
        }
    }
}

/// Server-side apply and managed-fields bookkeeping.
enum FieldManager {
    static func entries(of object: JSONValue?) -> [ManagedEntry] {
        guard let list = object?["metadata"]?["managedFields"]?.arrayValue else { return [] }
        return list.compactMap { e in
            guard let manager = e["manager"]?.stringValue else { return nil }
            return ManagedEntry(
                manager: manager,
                operation: e["operation"]?.stringValue ?? "Update",
                apiVersion: e["apiVersion"]?.stringValue ?? "",
                time: e["time"]?.stringValue,
                subresource: e["subresource"]?.stringValue,
                fields: FieldSets.set(fromTree: e["fieldsV1"] ?? .object([:])))
        }
    }

    static func render(_ entries: [ManagedEntry]) -> JSONValue {
        .array(
            entries.map { e in
                var o: [String: JSONValue] = [
                    "manager": .string(e.manager),
                    "operation": .string(e.operation),
                    "apiVersion": .string(e.apiVersion),
                    "fieldsType": "FieldsV1",
                    "fieldsV1": FieldSets.tree(from: e.fields),
                ]
                if let t = e.time { o["time"] = .string(t) }
                if let s = e.subresource, !s.isEmpty { o["subresource"] = .string(s) }
                return .object(o)
            })
    }

    /// Drops paths that no longer exist in the object, and entries left empty.
    static func prune(_ entries: [ManagedEntry], against object: JSONValue) -> [ManagedEntry] {
        entries.compactMap { e in
            var e = e
            e.fields = e.fields.filter { FieldSets.value(at: $0, in: object) != nil }
            return e.fields.isEmpty ? nil : e
        }
    }

    static func isItemPath(_ p: FieldPath) -> Bool {
        guard let last = p.last else { return false }
        return last.hasPrefix("k:") || last.hasPrefix("v:")
    }

    /// Applies `config` on top of `live` for `manager`.
    /// - Parameters:
    ///   - topLevel: which top-level fields of the config take part (e.g. everything but `status`).
    /// - Returns: the merged object with updated `managedFields`.
    static func apply(
        live: JSONValue?, config: JSONValue, manager: String, force: Bool, apiVersion: String, subresource: String?,
        cursor: SchemaCursor, topLevel: (String) -> Bool, now: String
    ) throws(ApplyConflictError) -> JSONValue {
        var entries = entries(of: live)
        let applied = FieldSets.fieldSet(of: config, cursor: cursor, topLevel: topLevel)
        let liveObj = live ?? .object([:])

        // Conflicts with other managers.
        var conflicts: [FieldConflict] = []
        for (i, e) in entries.enumerated() where !e.sameIdentity(manager, "Apply", subresource) {
            for p in e.fields.intersection(applied) where !isItemPath(p) {
                guard let lv = FieldSets.value(at: p, in: liveObj), let cv = FieldSets.value(at: p, in: config) else { continue }
                if !jsonEqual(lv, cv) {
                    conflicts.append(FieldConflict(manager: e.manager, printedManager: e.printed, path: p))
                    if force { entries[i].fields.remove(p) }
                }
            }
        }
        if !conflicts.isEmpty && !force {
            conflicts.sort { FieldSets.describe($0.path) < FieldSets.describe($1.path) }
            throw ApplyConflictError(conflicts: conflicts)
        }

        // Merge.
        var merged = liveObj
        if case .object(let co) = config {
            for (k, v) in co where topLevel(k) {
                let childCursor: SchemaCursor = k == "metadata" ? .builtin : cursor.child(k)
                if v.isNull {
                    merged[k] = nil
                } else {
                    merged[k] = Merge.applyMerge(live: liveObj[k], config: v, field: k, cursor: childCursor)
                }
            }
        }

        // Remove what this manager applied before but no longer applies and nobody else owns.
        let previous = entries.first(where: { $0.sameIdentity(manager, "Apply", subresource) })?.fields ?? []
        var others = FieldSet()
        for e in entries where !e.sameIdentity(manager, "Apply", subresource) { others.formUnion(e.fields) }
        let keep = applied.union(others)
        let toRemove = previous.subtracting(applied).subtracting(others).sorted { $0.count > $1.count }
        for p in toRemove {
            let hasOwnedDescendant = keep.contains { $0.count > p.count && Array($0.prefix(p.count)) == p }
            if !hasOwnedDescendant { FieldSets.remove(p, from: &merged) }
        }
        Merge.dropEmptyRemovalParents(&merged, removed: toRemove, keep: keep)

        // Record ownership.
        if let i = entries.firstIndex(where: { $0.sameIdentity(manager, "Apply", subresource) }) {
            entries[i].fields = applied
            entries[i].time = now
            entries[i].apiVersion = apiVersion
        } else {
            entries.append(
                ManagedEntry(manager: manager, operation: "Apply", apiVersion: apiVersion, time: now, subresource: subresource, fields: applied))
        }
        entries = prune(entries, against: merged)
        merged.setValue(render(entries), at: ["metadata", "managedFields"])
        return merged
    }

    /// Records an Update-style write (create, replace, patch) by `manager`: it takes ownership of every
    /// field it set or changed, and those fields stop being owned by others.
    static func update(
        live: JSONValue?, new: JSONValue, manager: String, apiVersion: String, subresource: String?,
        cursor: SchemaCursor, topLevel: (String) -> Bool, now: String
    ) -> JSONValue {
        // The entries the write starts from: those in the new object (a client may edit managedFields, as
        // kubectl does when it migrates client-side-apply ownership), which callers default to the live ones.
        var entries = entries(of: new)
        let newSet = FieldSets.fieldSet(of: new, cursor: cursor, topLevel: topLevel)
        let liveObj = live ?? .object([:])
        var changed = FieldSet()
        for p in newSet {
            guard let lv = FieldSets.value(at: p, in: liveObj) else {
                changed.insert(p)
                continue
            }
            if isItemPath(p) { continue }
            if let nv = FieldSets.value(at: p, in: new), !jsonEqual(lv, nv) { changed.insert(p) }
        }
        if !changed.isEmpty {
            for i in entries.indices where !entries[i].sameIdentity(manager, "Update", subresource) {
                entries[i].fields.subtract(changed)
            }
            if let i = entries.firstIndex(where: { $0.sameIdentity(manager, "Update", subresource) }) {
                entries[i].fields.formUnion(changed)
                entries[i].time = now
                entries[i].apiVersion = apiVersion
            } else {
                entries.append(
                    ManagedEntry(manager: manager, operation: "Update", apiVersion: apiVersion, time: now, subresource: subresource, fields: changed))
            }
        }
        var out = new
        entries = prune(entries, against: new)
        out.setValue(entries.isEmpty ? nil : render(entries), at: ["metadata", "managedFields"])
        return out
    }
}
