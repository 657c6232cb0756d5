import BrokkrCommon
import Foundation

/// The compiled form of a schema and everything it references: a flat table of nodes that refer to
/// each other by index, so recursive schemas need no reference cycles and the whole thing is a value.
struct CompiledSchema: Sendable {
    let nodes: [SchemaNode]
    let root: Int
    /// For each schema resource, the node of each `$dynamicAnchor` it declares (only names some
    /// `$dynamicRef` actually uses).
    let dynamicAnchors: [[String: Int]]
}

/// One schema object or boolean schema.
struct SchemaNode: Sendable {
    enum Body: Sendable {
        case alwaysValid
        case alwaysInvalid
        case keywords([KeywordEntry])
    }

    let body: Body
    /// The schema resource the node belongs to; entering it extends the dynamic scope.
    let resource: Int
    /// True when the node has `unevaluatedItems`/`unevaluatedProperties`, so its in-place subschemas
    /// must report which locations they evaluated.
    let needsEvaluatedLocations: Bool
    /// The `default` annotation, used by `applyingDefaults`.
    let defaultValue: JSONValue?

    var isAlwaysInvalid: Bool {
        if case .alwaysInvalid = body { return true }
        return false
    }
}

/// A keyword together with the name it appears under in the schema (used for schema paths and
/// violation reports; draft 7 `dependencies` compiles to the same keywords as 2020-12's split ones).
struct KeywordEntry: Sendable {
    let name: String
    let keyword: SchemaKeyword
}

/// A compiled keyword. Subschemas are node indices into `CompiledSchema.nodes`.
enum SchemaKeyword: Sendable {
    // Assertions
    case type(JSONTypeSet)
    case enumeration([JSONValue])
    case constant(JSONValue)
    case multipleOf(JSONValue)
    case maximum(JSONValue)
    case exclusiveMaximum(JSONValue)
    case minimum(JSONValue)
    case exclusiveMinimum(JSONValue)
    case maxLength(Int)
    case minLength(Int)
    case pattern(RegexPattern)
    case maxItems(Int)
    case minItems(Int)
    case uniqueItems
    case maxProperties(Int)
    case minProperties(Int)
    case required([String])
    case dependentRequired([(property: String, required: [String])])

    // In-place applicators (same instance location)
    case ref(Int)
    /// A `$dynamicRef` whose initial target declares the matching `$dynamicAnchor`; resolved against
    /// the dynamic scope at evaluation time, falling back to `initialTarget`.
    case dynamicRef(anchor: String, initialTarget: Int)
    case allOf([Int])
    case anyOf([Int])
    case oneOf([Int])
    case not(Int)
    case conditional(if: Int, then: Int?, else: Int?)
    case dependentSchemas([(property: String, schema: Int)])

    // Child applicators (array items / object members)
    case prefixItems([Int])
    /// `items` (2020-12, after `prefixItems`), draft 7 `items` as a single schema (`startIndex` 0) and
    /// draft 7 `additionalItems` (after the `items` array).
    case items(Int, startIndex: Int)
    case contains(Int, minimum: Int, maximum: Int?, minimumIsExplicit: Bool)
    case properties([(name: String, schema: Int)])
    case patternProperties([(pattern: RegexPattern, schema: Int)])
    case additionalProperties(Int, declaredNames: Set<String>, patterns: [RegexPattern])
    case propertyNames(Int)
    case unevaluatedItems(Int)
    case unevaluatedProperties(Int)
}

extension SchemaKeyword {
    /// True for keywords that only inspect the instance and never evaluate subschemas.
    var isAssertion: Bool {
        switch self {
        case .type, .enumeration, .constant, .multipleOf, .maximum, .exclusiveMaximum, .minimum, .exclusiveMinimum,
            .maxLength, .minLength, .pattern, .maxItems, .minItems, .uniqueItems, .maxProperties, .minProperties,
            .required, .dependentRequired:
            return true
        default:
            return false
        }
    }
}

/// The set of JSON types a `type` keyword allows.
struct JSONTypeSet: OptionSet, Sendable {
    let rawValue: Int

    static let null = JSONTypeSet(rawValue: 1 << 0)
    static let boolean = JSONTypeSet(rawValue: 1 << 1)
    static let object = JSONTypeSet(rawValue: 1 << 2)
    static let array = JSONTypeSet(rawValue: 1 << 3)
    static let number = JSONTypeSet(rawValue: 1 << 4)
    static let string = JSONTypeSet(rawValue: 1 << 5)
    static let integer = JSONTypeSet(rawValue: 1 << 6)

    static let namedTypes: [(name: String, type: JSONTypeSet)] = [
        ("null", .null), ("boolean", .boolean), ("object", .object), ("array", .array),
        ("number", .number), ("string", .string), ("integer", .integer),
    ]

    init(rawValue: Int) { self.rawValue = rawValue }

    init?(name: String) {
        guard let match = JSONTypeSet.namedTypes.first(where: { $0.name == name }) else { return nil }
        self = match.type
    }

    var names: [String] { JSONTypeSet.namedTypes.filter { contains($0.type) }.map(\.name) }

    func admits(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return contains(.null)
        case .bool: return contains(.boolean)
        case .object: return contains(.object)
        case .array: return contains(.array)
        case .string: return contains(.string)
        case .int: return contains(.number) || contains(.integer)
        case .double: return contains(.number) || (contains(.integer) && JSONNumber.isInteger(value))
        }
    }
}
