import BrokkrCommon
import Foundation

/// Reads the keywords of one schema object, checks that their values have the right shape, and turns
/// them into `KeywordEntry`s. Unknown keywords (and keywords of vocabularies the metaschema does not
/// enable) are ignored, as the specification requires.
struct KeywordCompiler {
    let compiler: SchemaCompiler
    let object: [String: JSONValue]
    let location: SchemaLocation
    let scope: LexicalScope
    private var entries: [KeywordEntry] = []

    init(compiler: SchemaCompiler, object: [String: JSONValue], location: SchemaLocation, scope: LexicalScope) {
        self.compiler = compiler
        self.object = object
        self.location = location
        self.scope = scope
    }

    private var rules: SchemaRules { scope.rules }

    mutating func compile() throws -> SchemaNode {
        if rules.isDraft7, let reference = object["$ref"] {
            // Draft 7: `$ref` overrides every sibling keyword.
            try compileReference(reference)
        } else {
            try compileCore()
            if rules.enables(.validation) { try compileValidation() }
            if rules.enables(.applicator) { try compileApplicators() }
            // Evaluated last: they depend on what every other keyword of this object evaluated.
            if !rules.isDraft7, rules.enables(.unevaluated) { try compileUnevaluated() }
        }
        let needsEvaluatedLocations = entries.contains {
            switch $0.keyword {
            case .unevaluatedItems, .unevaluatedProperties: return true
            default: return false
            }
        }
        return SchemaNode(
            body: .keywords(entries), resource: scope.resource,
            needsEvaluatedLocations: needsEvaluatedLocations, defaultValue: object["default"])
    }

    // MARK: - Core

    private mutating func compileCore() throws {
        if let reference = object["$ref"] { try compileReference(reference) }
        if !rules.isDraft7, let dynamicReference = object["$dynamicRef"] {
            try compileDynamicReference(dynamicReference)
        }
        // Definitions are not applied, but compiling them reports mistakes in unused ones too.
        let definitionsKeyword = rules.isDraft7 ? "definitions" : "$defs"
        _ = try subschemaMap(definitionsKeyword)
    }

    private mutating func compileReference(_ value: JSONValue) throws {
        guard case .string(let reference) = value else { throw invalid("$ref", "must be a string") }
        let target = try resolve(reference)
        entries.append(KeywordEntry(name: "$ref", keyword: .ref(compiler.nodeIndex(for: target.location))))
    }

    private mutating func compileDynamicReference(_ value: JSONValue) throws {
        guard case .string(let reference) = value else { throw invalid("$dynamicRef", "must be a string") }
        let target = try resolve(reference)
        let targetIndex = compiler.nodeIndex(for: target.location)
        // The reference is dynamic only if its initial target declares the same dynamic anchor
        // ("bookending"); otherwise it behaves exactly like `$ref`.
        if let anchor = target.anchorName,
            case .object(let targetObject)? = compiler.registry.value(at: target.location),
            targetObject["$dynamicAnchor"] == .string(anchor)
        {
            compiler.noteDynamicAnchorInUse(anchor)
            entries.append(KeywordEntry(name: "$dynamicRef", keyword: .dynamicRef(anchor: anchor, initialTarget: targetIndex)))
        } else {
            entries.append(KeywordEntry(name: "$dynamicRef", keyword: .ref(targetIndex)))
        }
    }

    private func resolve(_ reference: String) throws -> ResolvedReference {
        do {
            return try compiler.registry.resolve(reference, against: scope.baseURI)
        } catch let error as SchemaCompilationError {
            throw SchemaCompilationError(message: "\(error.message) (at \(compiler.registry.describe(location)))")
        }
    }

    // MARK: - Validation vocabulary

    private mutating func compileValidation() throws {
        if let value = object["type"] { try compileType(value) }
        if let value = object["enum"] {
            guard case .array(let allowed) = value else { throw invalid("enum", "must be an array") }
            add("enum", .enumeration(allowed))
        }
        if let value = object["const"] { add("const", .constant(value)) }

        if let divisor = try number("multipleOf") {
            guard JSONNumber.compare(divisor, .int(0)) == .orderedDescending else {
                throw invalid("multipleOf", "must be greater than 0")
            }
            add("multipleOf", .multipleOf(divisor))
        }
        if let limit = try number("maximum") { add("maximum", .maximum(limit)) }
        if let limit = try number("exclusiveMaximum") { add("exclusiveMaximum", .exclusiveMaximum(limit)) }
        if let limit = try number("minimum") { add("minimum", .minimum(limit)) }
        if let limit = try number("exclusiveMinimum") { add("exclusiveMinimum", .exclusiveMinimum(limit)) }

        if let limit = try nonNegativeInteger("maxLength") { add("maxLength", .maxLength(limit)) }
        if let limit = try nonNegativeInteger("minLength") { add("minLength", .minLength(limit)) }
        if let value = object["pattern"] {
            guard case .string(let source) = value else { throw invalid("pattern", "must be a string") }
            add("pattern", .pattern(try regex(source, keyword: "pattern")))
        }

        if let limit = try nonNegativeInteger("maxItems") { add("maxItems", .maxItems(limit)) }
        if let limit = try nonNegativeInteger("minItems") { add("minItems", .minItems(limit)) }
        if let value = object["uniqueItems"] {
            guard case .bool(let unique) = value else { throw invalid("uniqueItems", "must be a boolean") }
            if unique { add("uniqueItems", .uniqueItems) }
        }

        if let limit = try nonNegativeInteger("maxProperties") { add("maxProperties", .maxProperties(limit)) }
        if let limit = try nonNegativeInteger("minProperties") { add("minProperties", .minProperties(limit)) }
        if let names = try stringArray("required") { add("required", .required(names)) }

        try compileDependencies()
        if !rules.isDraft7, let value = object["dependentRequired"] {
            guard case .object(let dependencies) = value else { throw invalid("dependentRequired", "must be an object") }
            var pairs: [(property: String, required: [String])] = []
            for (property, required) in dependencies.sorted(by: { $0.key < $1.key }) {
                guard let names = required.stringArrayValue else {
                    throw invalid("dependentRequired", "must map property names to arrays of strings")
                }
                pairs.append((property, names))
            }
            add("dependentRequired", .dependentRequired(pairs))
        }
    }

    private mutating func compileType(_ value: JSONValue) throws {
        let names: [String]
        switch value {
        case .string(let name): names = [name]
        case .array(let items):
            guard !items.isEmpty, let strings = value.stringArrayValue, strings.count == items.count else {
                throw invalid("type", "must be a type name or a non-empty array of type names")
            }
            names = strings
        default:
            throw invalid("type", "must be a type name or a non-empty array of type names")
        }
        var types: JSONTypeSet = []
        for name in names {
            guard let type = JSONTypeSet(name: name) else {
                throw invalid("type", "has unknown type \"\(name)\"")
            }
            types.insert(type)
        }
        add("type", .type(types))
    }

    /// Draft 7 `dependencies`: arrays are required property lists, anything else a schema. 2020-12
    /// split it into `dependentRequired`/`dependentSchemas` but still honours it for compatibility.
    private mutating func compileDependencies() throws {
        guard let value = object["dependencies"] else { return }
        guard case .object(let dependencies) = value else { throw invalid("dependencies", "must be an object") }
        var required: [(property: String, required: [String])] = []
        var schemas: [(property: String, schema: Int)] = []
        for (property, dependency) in dependencies.sorted(by: { $0.key < $1.key }) {
            if case .array = dependency {
                guard let names = dependency.stringArrayValue else {
                    throw invalid("dependencies", "arrays must contain only strings")
                }
                required.append((property, names))
            } else {
                schemas.append((property, compiler.nodeIndex(for: location.appending("dependencies", property))))
            }
        }
        if !required.isEmpty { add("dependencies", .dependentRequired(required)) }
        if !schemas.isEmpty { add("dependencies", .dependentSchemas(schemas)) }
    }

    // MARK: - Applicator vocabulary

    private mutating func compileApplicators() throws {
        if let subschemas = try subschemaArray("allOf") { add("allOf", .allOf(subschemas)) }
        if let subschemas = try subschemaArray("anyOf") { add("anyOf", .anyOf(subschemas)) }
        if let subschemas = try subschemaArray("oneOf") { add("oneOf", .oneOf(subschemas)) }
        if let negated = subschema("not") { add("not", .not(negated)) }
        if let condition = subschema("if") {
            add("if", .conditional(if: condition, then: subschema("then"), else: subschema("else")))
        }
        if !rules.isDraft7, let dependencies = try subschemaMap("dependentSchemas") {
            add("dependentSchemas", .dependentSchemas(dependencies.map { (property: $0.name, schema: $0.schema) }))
        }

        try compileArrayApplicators()

        var declaredNames: Set<String> = []
        if let properties = try subschemaMap("properties") {
            declaredNames = Set(properties.map(\.name))
            add("properties", .properties(properties))
        }
        var patterns: [RegexPattern] = []
        if let patternProperties = try subschemaMap("patternProperties") {
            let compiled = try patternProperties.map { (pattern: try regex($0.name, keyword: "patternProperties"), schema: $0.schema) }
            patterns = compiled.map(\.pattern)
            add("patternProperties", .patternProperties(compiled))
        }
        if let additional = subschema("additionalProperties") {
            add("additionalProperties", .additionalProperties(additional, declaredNames: declaredNames, patterns: patterns))
        }
        if let names = subschema("propertyNames") { add("propertyNames", .propertyNames(names)) }
    }

    private mutating func compileArrayApplicators() throws {
        if rules.isDraft7 {
            switch object["items"] {
            case .array?:
                let tuple = try subschemaArray("items", allowEmpty: true) ?? []
                add("items", .prefixItems(tuple))
                if let additional = subschema("additionalItems") {
                    add("additionalItems", .items(additional, startIndex: tuple.count))
                }
            case .some:
                add("items", .items(compiler.nodeIndex(for: location.appending("items")), startIndex: 0))
            case nil:
                break
            }
        } else {
            let prefix = try subschemaArray("prefixItems") ?? []
            if !prefix.isEmpty { add("prefixItems", .prefixItems(prefix)) }
            if case .array? = object["items"] {
                throw invalid("items", "must be a schema in 2020-12 (use prefixItems for tuples)")
            }
            if let items = subschema("items") { add("items", .items(items, startIndex: prefix.count)) }
        }

        if let contained = subschema("contains") {
            var minimum = 1
            var maximum: Int?
            var minimumIsExplicit = false
            if !rules.isDraft7, rules.enables(.validation) {
                if let explicit = try nonNegativeInteger("minContains") {
                    minimum = explicit
                    minimumIsExplicit = true
                }
                maximum = try nonNegativeInteger("maxContains")
            }
            add("contains", .contains(contained, minimum: minimum, maximum: maximum, minimumIsExplicit: minimumIsExplicit))
        }
    }

    // MARK: - Unevaluated vocabulary

    private mutating func compileUnevaluated() throws {
        if let schema = subschema("unevaluatedItems") { add("unevaluatedItems", .unevaluatedItems(schema)) }
        if let schema = subschema("unevaluatedProperties") { add("unevaluatedProperties", .unevaluatedProperties(schema)) }
    }

    // MARK: - Value readers

    private mutating func add(_ name: String, _ keyword: SchemaKeyword) {
        entries.append(KeywordEntry(name: name, keyword: keyword))
    }

    private func invalid(_ keyword: String, _ problem: String) -> SchemaCompilationError {
        SchemaCompilationError(message: "\"\(keyword)\" \(problem) (at \(compiler.registry.describe(location)))")
    }

    /// The node for a single-subschema keyword. Its shape is checked when the node itself compiles.
    private func subschema(_ keyword: String) -> Int? {
        guard object[keyword] != nil else { return nil }
        return compiler.nodeIndex(for: location.appending(keyword))
    }

    private func subschemaArray(_ keyword: String, allowEmpty: Bool = false) throws -> [Int]? {
        guard let value = object[keyword] else { return nil }
        guard case .array(let items) = value, allowEmpty || !items.isEmpty else {
            throw invalid(keyword, "must be a non-empty array of schemas")
        }
        return items.indices.map { compiler.nodeIndex(for: location.appending(keyword, String($0))) }
    }

    /// Name → subschema pairs, sorted by name so that violations come out in a stable order.
    private func subschemaMap(_ keyword: String) throws -> [(name: String, schema: Int)]? {
        guard let value = object[keyword] else { return nil }
        guard case .object(let members) = value else { throw invalid(keyword, "must be an object of schemas") }
        return members.keys.sorted().map { ($0, compiler.nodeIndex(for: location.appending(keyword, $0))) }
    }

    private func number(_ keyword: String) throws -> JSONValue? {
        guard let value = object[keyword] else { return nil }
        guard value.numberValue != nil else { throw invalid(keyword, "must be a number") }
        return value
    }

    /// Accepts integral floats too (`2.0`), as the metaschemas' "integer" type does.
    private func nonNegativeInteger(_ keyword: String) throws -> Int? {
        guard let value = object[keyword] else { return nil }
        switch value {
        case .int(let i) where i >= 0:
            return Int(clamping: i)
        case .double(let d) where d >= 0 && JSONNumber.isInteger(value):
            return d >= Double(Int.max) ? Int.max : Int(d)
        default:
            throw invalid(keyword, "must be a non-negative integer")
        }
    }

    private func stringArray(_ keyword: String) throws -> [String]? {
        guard let value = object[keyword] else { return nil }
        guard let strings = value.stringArrayValue else { throw invalid(keyword, "must be an array of strings") }
        return strings
    }

    private func regex(_ source: String, keyword: String) throws -> RegexPattern {
        do {
            return try RegexPattern(ecmaPattern: source)
        } catch let error as SchemaCompilationError {
            throw invalid(keyword, "contains an \(error.message)")
        }
    }
}

extension JSONValue {
    /// The strings of an array made only of strings; nil otherwise.
    fileprivate var stringArrayValue: [String]? {
        guard case .array(let items) = self else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(items.count)
        for item in items {
            guard case .string(let s) = item else { return nil }
            strings.append(s)
        }
        return strings
    }
}
