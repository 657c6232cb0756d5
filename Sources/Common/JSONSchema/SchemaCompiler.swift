import BrokkrCommon
import Foundation

/// Compiles the schema reachable from a root location into a `CompiledSchema`.
///
/// Every location gets one node index the first time anything refers to it; the node itself is
/// compiled from a work list, so recursive references simply reuse the reserved index and deep
/// schemas do not recurse on the call stack.
final class SchemaCompiler {
    let registry: SchemaRegistry
    private var nodes: [SchemaNode?] = []
    private var nodeIndexByLocation: [SchemaLocation: Int] = [:]
    private var pending: [(index: Int, location: SchemaLocation)] = []
    private var dynamicAnchorNamesInUse: Set<String> = []

    init(registry: SchemaRegistry) {
        self.registry = registry
    }

    func compile(root: SchemaLocation) throws -> CompiledSchema {
        let rootIndex = nodeIndex(for: root)
        try compilePending()

        // Any resource that ends up in the dynamic scope may supply the target of a `$dynamicRef`, so
        // the dynamic anchors of every known resource are compiled too. Compiling them can load more
        // documents and declare more anchors, hence the loop.
        var compiledNew: Bool
        repeat {
            compiledNew = false
            for resource in registry.resources {
                for (name, location) in resource.dynamicAnchors
                where dynamicAnchorNamesInUse.contains(name) && nodeIndexByLocation[location] == nil {
                    _ = nodeIndex(for: location)
                    compiledNew = true
                }
            }
            try compilePending()
        } while compiledNew

        let dynamicAnchors = registry.resources.map { resource in
            resource.dynamicAnchors.reduce(into: [String: Int]()) { table, anchor in
                if let index = nodeIndexByLocation[anchor.value] { table[anchor.key] = index }
            }
        }
        return CompiledSchema(nodes: nodes.map { $0! }, root: rootIndex, dynamicAnchors: dynamicAnchors)
    }

    /// The node index for the subschema at `location`, reserving one (and queueing its compilation)
    /// on first use.
    func nodeIndex(for location: SchemaLocation) -> Int {
        if let index = nodeIndexByLocation[location] { return index }
        let index = nodes.count
        nodes.append(nil)
        nodeIndexByLocation[location] = index
        pending.append((index, location))
        return index
    }

    /// Records that a `$dynamicRef` may look up `name` in the dynamic scope.
    func noteDynamicAnchorInUse(_ name: String) {
        dynamicAnchorNamesInUse.insert(name)
    }

    private func compilePending() throws {
        while let next = pending.popLast() {
            nodes[next.index] = try compileNode(at: next.location)
        }
    }

    private func compileNode(at location: SchemaLocation) throws -> SchemaNode {
        guard let value = registry.value(at: location) else {
            throw SchemaCompilationError(message: "no schema at \(registry.describe(location))")
        }
        let scope = try registry.scope(at: location)
        switch value {
        case .bool(let allowsEverything):
            return SchemaNode(
                body: allowsEverything ? .alwaysValid : .alwaysInvalid, resource: scope.resource,
                needsEvaluatedLocations: false, defaultValue: nil)
        case .object(let object):
            var keywords = KeywordCompiler(compiler: self, object: object, location: location, scope: scope)
            return try keywords.compile()
        default:
            throw SchemaCompilationError(
                message: "a schema must be an object or a boolean, found \(value.briefDescription) at \(registry.describe(location))")
        }
    }
}
