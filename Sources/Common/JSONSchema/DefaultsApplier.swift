import BrokkrCommon
import Foundation

/// Fills in `default`s for absent object members, following `properties` recursively.
///
/// For each object the applicable property schemas are gathered from the schema itself and from the
/// schemas it unconditionally includes (`$ref`, `$dynamicRef`'s static target, `allOf`). A present
/// member is never replaced, only descended into; an absent one gets the first `default` found and is
/// then descended into as well, so a `{}` default picks up its own nested defaults.
struct DefaultsApplier {
    let schema: CompiledSchema

    func apply(_ node: Int, to instance: JSONValue) -> JSONValue {
        apply([node], to: instance, insertedBy: [])
    }

    /// `insertedBy` holds the nodes that inserted the defaults currently being descended into; meeting
    /// one again means a recursive schema would insert defaults forever, so insertion stops there.
    private func apply(_ nodes: [Int], to instance: JSONValue, insertedBy: Set<Int>) -> JSONValue {
        guard case .object(var object) = instance else { return instance }
        for (name, propertyNodes) in propertySchemas(of: nodes) {
            if let present = object[name] {
                object[name] = apply(propertyNodes, to: present, insertedBy: insertedBy)
            } else if let (owner, value) = firstDefault(among: propertyNodes), !insertedBy.contains(owner) {
                object[name] = apply(propertyNodes, to: value, insertedBy: insertedBy.union(propertyNodes))
            }
        }
        return .object(object)
    }

    /// Property name → schemas applying to it, in a stable order.
    private func propertySchemas(of nodes: [Int]) -> [(name: String, nodes: [Int])] {
        var byName: [String: [Int]] = [:]
        var order: [String] = []
        for node in includedNodes(of: nodes) {
            guard case .keywords(let entries) = schema.nodes[node].body else { continue }
            for entry in entries {
                guard case .properties(let properties) = entry.keyword else { continue }
                for (name, propertyNode) in properties {
                    if byName[name] == nil { order.append(name) }
                    byName[name, default: []].append(propertyNode)
                }
            }
        }
        return order.map { ($0, byName[$0]!) }
    }

    /// `nodes` plus everything they include in place unconditionally, each once.
    private func includedNodes(of nodes: [Int]) -> [Int] {
        var seen: Set<Int> = []
        var result: [Int] = []
        var stack = Array(nodes.reversed())
        while let node = stack.popLast() {
            guard seen.insert(node).inserted else { continue }
            result.append(node)
            guard case .keywords(let entries) = schema.nodes[node].body else { continue }
            for entry in entries.reversed() {
                switch entry.keyword {
                case .ref(let target): stack.append(target)
                case .dynamicRef(_, let initialTarget): stack.append(initialTarget)
                case .allOf(let subschemas): stack.append(contentsOf: subschemas.reversed())
                default: break
                }
            }
        }
        return result
    }

    private func firstDefault(among nodes: [Int]) -> (node: Int, value: JSONValue)? {
        for node in includedNodes(of: nodes) {
            if let value = schema.nodes[node].defaultValue { return (node, value) }
        }
        return nil
    }
}
