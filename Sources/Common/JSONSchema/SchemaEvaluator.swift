import BrokkrCommon
import Foundation

/// The instance locations a schema evaluated successfully: the annotations of `properties`,
/// `patternProperties`, `additionalProperties`, `prefixItems`, `items`, `contains` and the
/// `unevaluated*` keywords that `unevaluatedProperties`/`unevaluatedItems` consult.
struct EvaluatedLocations {
    var properties: Set<String> = []
    var allItems = false
    /// Items `0..<itemPrefix` were evaluated (by `prefixItems`).
    var itemPrefix = 0
    /// Individual items evaluated (by `contains`).
    var items: Set<Int> = []

    mutating func formUnion(_ other: EvaluatedLocations) {
        properties.formUnion(other.properties)
        allItems = allItems || other.allItems
        itemPrefix = max(itemPrefix, other.itemPrefix)
        items.formUnion(other.items)
    }

    func containsItem(_ index: Int) -> Bool {
        allItems || index < itemPrefix || items.contains(index)
    }
}

struct EvaluationResult {
    var isValid: Bool
    /// Empty unless the caller asked for tracking and the schema was valid (failed schemas produce
    /// no annotations).
    var evaluated: EvaluatedLocations

    static let valid = EvaluationResult(isValid: true, evaluated: EvaluatedLocations())
    static let invalid = EvaluationResult(isValid: false, evaluated: EvaluatedLocations())
}

/// Evaluates an instance against a `CompiledSchema`, one call per validation.
///
/// Paths are kept as token stacks and only rendered as JSON Pointers when a violation is reported.
/// Subschemas whose failure is not itself a violation (`anyOf`/`oneOf` branches, `not`, `if`,
/// `contains`, `propertyNames`) are evaluated "silenced": nothing is recorded and evaluation stops at
/// the first failure. `isValid` runs entirely silenced.
struct SchemaEvaluator {
    /// Guards against `$ref` cycles that never descend into the instance (`{"$ref": "#"}`) and keeps the
    /// recursion well inside a thread's stack.
    static let maximumDepth = 256

    let schema: CompiledSchema
    private(set) var violations: [SchemaViolation] = []
    var silenced: Int
    private(set) var instancePath: [String] = []
    var schemaPath: [String] = []
    /// Schema resources entered so far, outermost first; `$dynamicRef` searches it.
    private var dynamicScope: [Int] = []
    private var depth = 0

    /// Identifies the instance location under evaluation: a fresh number each time evaluation moves
    /// to an item, a member or a property name. Re-entering a schema node while it is still being
    /// evaluated at the same number means no input was consumed in between: a cycle that can only
    /// repeat (or, with `$dynamicRef` branching, blow up exponentially).
    private var locations: [Int] = [0]
    private var locationsUsed = 0
    private var active: Set<ActiveNode> = []
    private struct ActiveNode: Hashable {
        let node: Int
        let location: Int
    }

    /// Schema nodes evaluated so far, against `maxSteps`: bounds the total work of one validation,
    /// which nested applicators could otherwise make exponential in the schema's size.
    private var steps = 0
    private let maxSteps: Int
    /// Set when evaluation was abandoned (cycle or budget); the outcome is then invalid, whatever
    /// the partial results said (a `not` would otherwise turn the abandoned branch into a success).
    private(set) var abandoned: SchemaViolation?

    init(schema: CompiledSchema, collectsViolations: Bool, maxSteps: Int = JSONSchemaValidator.defaultMaxEvaluationSteps) {
        self.schema = schema
        self.silenced = collectsViolations ? 0 : 1
        self.maxSteps = maxSteps
    }

    /// Moves to a child instance (`token` is its path segment; nil for a property name, which has
    /// no pointer of its own) for the duration of `body`.
    mutating func descending<T>(into token: String?, _ body: (inout SchemaEvaluator) -> T) -> T {
        if let token { instancePath.append(token) }
        locationsUsed += 1
        locations.append(locationsUsed)
        defer {
            locations.removeLast()
            if token != nil { instancePath.removeLast() }
        }
        return body(&self)
    }

    /// A regex match whose budget ran out abandons the evaluation rather than guess an outcome.
    mutating func matches(_ pattern: RegexPattern, _ string: String) -> Bool {
        do {
            return try pattern.matches(string)
        } catch {
            abandon(schemaPath.last ?? "pattern", "\(error)")
            return false
        }
    }

    mutating func matchesAny(_ patterns: [RegexPattern], _ string: String) -> Bool {
        for pattern in patterns where matches(pattern, string) { return true }
        return false
    }

    private mutating func abandon(_ keyword: String, _ message: String) {
        guard abandoned == nil else { return }
        abandoned = SchemaViolation(
            instancePath: JSONPointer.string(from: instancePath),
            schemaPath: JSONPointer.string(from: schemaPath),
            keyword: keyword, message: message)
    }

    /// Evaluates node `index` against `instance`. With `tracking`, the result carries the locations
    /// evaluated (needed by an enclosing `unevaluated*` keyword).
    mutating func evaluate(_ index: Int, _ instance: JSONValue, tracking: Bool) -> EvaluationResult {
        let node = schema.nodes[index]
        switch node.body {
        case .alwaysValid:
            return .valid
        case .alwaysInvalid:
            report("false", ViolationMessage.falseSchema(instance))
            return .invalid
        case .keywords(let entries):
            guard abandoned == nil else { return .invalid }
            guard depth < SchemaEvaluator.maximumDepth else {
                report(schemaPath.last ?? "$ref", ViolationMessage.tooDeep())
                return .invalid
            }
            steps += 1
            guard steps <= maxSteps else {
                abandon(schemaPath.last ?? "$ref", ViolationMessage.budgetExceeded(maxSteps))
                return .invalid
            }
            let activeNode = ActiveNode(node: index, location: locations[locations.count - 1])
            guard active.insert(activeNode).inserted else {
                abandon(schemaPath.last ?? "$ref", ViolationMessage.referenceCycle())
                return .invalid
            }
            depth += 1
            let entersResource = dynamicScope.last != node.resource
            if entersResource { dynamicScope.append(node.resource) }
            defer {
                depth -= 1
                if entersResource { dynamicScope.removeLast() }
                active.remove(activeNode)
            }

            let tracking = tracking || node.needsEvaluatedLocations
            var evaluated = EvaluatedLocations()
            var isValid = true
            for entry in entries {
                schemaPath.append(entry.name)
                let keywordValid = evaluate(entry.keyword, instance, tracking: tracking, evaluated: &evaluated)
                schemaPath.removeLast()
                if !keywordValid {
                    isValid = false
                    if silenced > 0 { break }  // the outcome is decided and nobody wants the details
                }
            }
            return EvaluationResult(isValid: isValid, evaluated: isValid ? evaluated : EvaluatedLocations())
        }
    }

    /// Dispatches to the keyword's implementation. Assertions and applicators are dispatched by separate
    /// functions so that the (recursive) applicator path does not carry the assertions' stack frame.
    private mutating func evaluate(
        _ keyword: SchemaKeyword, _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        if keyword.isAssertion { return evaluateAssertion(keyword, instance) }
        return evaluateApplicator(keyword, instance, tracking: tracking, evaluated: &evaluated)
    }

    private mutating func evaluateAssertion(_ keyword: SchemaKeyword, _ instance: JSONValue) -> Bool {
        switch keyword {
        case .type(let types):
            return types.admits(instance) || fail("type", ViolationMessage.type(instance, expected: types))
        case .enumeration(let allowed):
            return checkEnumeration(instance, allowed)
        case .constant(let expected):
            return instance.isSchemaEqual(to: expected) || fail("const", ViolationMessage.constant(instance, expected: expected))
        case .multipleOf(let divisor):
            return checkMultipleOf(instance, divisor)
        case .maximum(let limit):
            return checkBound(instance, limit, keyword: "maximum", allowed: [.orderedAscending, .orderedSame])
        case .exclusiveMaximum(let limit):
            return checkBound(instance, limit, keyword: "exclusiveMaximum", allowed: [.orderedAscending])
        case .minimum(let limit):
            return checkBound(instance, limit, keyword: "minimum", allowed: [.orderedDescending, .orderedSame])
        case .exclusiveMinimum(let limit):
            return checkBound(instance, limit, keyword: "exclusiveMinimum", allowed: [.orderedDescending])
        case .maxLength(let limit):
            return checkLength(instance, limit, isMaximum: true)
        case .minLength(let limit):
            return checkLength(instance, limit, isMaximum: false)
        case .pattern(let pattern):
            return checkPattern(instance, pattern)
        case .maxItems(let limit):
            return checkItemCount(instance, limit, isMaximum: true)
        case .minItems(let limit):
            return checkItemCount(instance, limit, isMaximum: false)
        case .uniqueItems:
            return checkUniqueItems(instance)
        case .maxProperties(let limit):
            return checkPropertyCount(instance, limit, isMaximum: true)
        case .minProperties(let limit):
            return checkPropertyCount(instance, limit, isMaximum: false)
        case .required(let names):
            return checkRequired(instance, names)
        case .dependentRequired(let dependencies):
            return checkDependentRequired(instance, dependencies)
        default:
            return true
        }
    }

    private mutating func evaluateApplicator(
        _ keyword: SchemaKeyword, _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        switch keyword {
        case .ref(let target):
            return applyInPlace(target, instance, tracking: tracking, evaluated: &evaluated)
        case .dynamicRef(let anchor, let initialTarget):
            return applyInPlace(
                dynamicTarget(anchor: anchor, initialTarget: initialTarget), instance,
                tracking: tracking, evaluated: &evaluated)
        case .allOf(let subschemas):
            return applyAllOf(subschemas, instance, tracking: tracking, evaluated: &evaluated)
        case .anyOf(let subschemas):
            return applyAnyOf(subschemas, instance, tracking: tracking, evaluated: &evaluated)
        case .oneOf(let subschemas):
            return applyOneOf(subschemas, instance, tracking: tracking, evaluated: &evaluated)
        case .not(let negated):
            return applyNot(negated, instance)
        case .conditional(let condition, let then, let otherwise):
            return applyConditional(condition, then: then, else: otherwise, instance, tracking: tracking, evaluated: &evaluated)
        case .dependentSchemas(let dependencies):
            return applyDependentSchemas(dependencies, instance, tracking: tracking, evaluated: &evaluated)

        case .prefixItems(let subschemas):
            return applyPrefixItems(subschemas, instance, tracking: tracking, evaluated: &evaluated)
        case .items(let subschema, let startIndex):
            return applyItems(subschema, from: startIndex, instance, tracking: tracking, evaluated: &evaluated)
        case .contains(let subschema, let minimum, let maximum, let minimumIsExplicit):
            return applyContains(
                subschema, minimum: minimum, maximum: maximum, minimumIsExplicit: minimumIsExplicit,
                instance, tracking: tracking, evaluated: &evaluated)
        case .properties(let properties):
            return applyProperties(properties, instance, tracking: tracking, evaluated: &evaluated)
        case .patternProperties(let patterns):
            return applyPatternProperties(patterns, instance, tracking: tracking, evaluated: &evaluated)
        case .additionalProperties(let subschema, let declaredNames, let patterns):
            return applyAdditionalProperties(
                subschema, declaredNames: declaredNames, patterns: patterns, instance,
                tracking: tracking, evaluated: &evaluated)
        case .propertyNames(let subschema):
            return applyPropertyNames(subschema, instance)
        case .unevaluatedItems(let subschema):
            return applyUnevaluatedItems(subschema, instance, tracking: tracking, evaluated: &evaluated)
        case .unevaluatedProperties(let subschema):
            return applyUnevaluatedProperties(subschema, instance, tracking: tracking, evaluated: &evaluated)
        default:
            return true
        }
    }

    /// The target of a bookended `$dynamicRef`: the outermost resource in the dynamic scope that
    /// declares the anchor, else the statically resolved target.
    private func dynamicTarget(anchor: String, initialTarget: Int) -> Int {
        for resource in dynamicScope {
            if let target = schema.dynamicAnchors[resource][anchor] { return target }
        }
        return initialTarget
    }

    // MARK: - Reporting

    /// Records a violation at the current instance and schema paths (unless silenced).
    mutating func report(_ keyword: String, _ message: @autoclosure () -> String) {
        guard silenced == 0 else { return }
        violations.append(
            SchemaViolation(
                instancePath: JSONPointer.string(from: instancePath),
                schemaPath: JSONPointer.string(from: schemaPath),
                keyword: keyword, message: message()))
    }

    /// Reports and returns false, for `condition || fail(...)` checks.
    mutating func fail(_ keyword: String, _ message: @autoclosure () -> String) -> Bool {
        report(keyword, message())
        return false
    }

    /// Runs `body` with violations suppressed.
    mutating func silently<T>(_ body: (inout SchemaEvaluator) -> T) -> T {
        silenced += 1
        defer { silenced -= 1 }
        return body(&self)
    }
}
