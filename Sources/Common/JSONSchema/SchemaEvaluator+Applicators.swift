import BrokkrCommon
import Foundation

/// Applicator keywords: keywords that evaluate subschemas, either against the same instance
/// ("in place": `$ref`, `allOf`, `if`, ...) or against its items and members.
///
/// In-place applicators pass `tracking` down and merge the evaluated locations of the subschemas that
/// passed; child applicators record which items/members they evaluated.
extension SchemaEvaluator {
    // MARK: - In place

    mutating func applyInPlace(
        _ subschema: Int, _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        let result = evaluate(subschema, instance, tracking: tracking)
        if result.isValid, tracking { evaluated.formUnion(result.evaluated) }
        return result.isValid
    }

    /// Runs `check` on each element and tells whether all passed. While reporting, every element is
    /// checked so that every violation is reported; while silenced, the first failure decides.
    mutating func applyEach<Elements: Sequence>(
        _ elements: Elements, _ check: (inout SchemaEvaluator, Elements.Element) -> Bool
    ) -> Bool {
        var isValid = true
        for element in elements where !check(&self, element) {
            isValid = false
            if silenced > 0 { break }
        }
        return isValid
    }

    /// Applies `subschema` in place under the schema path token `token` (an index or a property name).
    mutating func applyInPlace(
        _ subschema: Int, under token: String, _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        schemaPath.append(token)
        defer { schemaPath.removeLast() }
        return applyInPlace(subschema, instance, tracking: tracking, evaluated: &evaluated)
    }

    mutating func applyAllOf(
        _ subschemas: [Int], _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        applyEach(subschemas.enumerated()) {
            $0.applyInPlace($1.element, under: String($1.offset), instance, tracking: tracking, evaluated: &evaluated)
        }
    }

    /// Every branch is evaluated when tracking, because each passing branch contributes annotations.
    mutating func applyAnyOf(
        _ subschemas: [Int], _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        var anyValid = false
        silenced += 1
        for (index, subschema) in subschemas.enumerated() {
            if applyInPlace(subschema, under: String(index), instance, tracking: tracking, evaluated: &evaluated) {
                anyValid = true
                if !tracking { break }
            }
        }
        silenced -= 1
        return anyValid || fail("anyOf", ViolationMessage.anyOf(count: subschemas.count))
    }

    mutating func applyOneOf(
        _ subschemas: [Int], _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        var matching: [Int] = []
        var matchedLocations = EvaluatedLocations()
        silenced += 1
        for (index, subschema) in subschemas.enumerated() {
            schemaPath.append(String(index))
            let result = evaluate(subschema, instance, tracking: tracking)
            schemaPath.removeLast()
            if result.isValid {
                matching.append(index)
                matchedLocations = result.evaluated
                if matching.count > 1 { break }
            }
        }
        silenced -= 1
        switch matching.count {
        case 1:
            if tracking { evaluated.formUnion(matchedLocations) }
            return true
        case 0:
            return fail("oneOf", ViolationMessage.oneOfNone(count: subschemas.count))
        default:
            return fail("oneOf", ViolationMessage.oneOfSeveral(matching: matching))
        }
    }

    mutating func applyNot(_ negated: Int, _ instance: JSONValue) -> Bool {
        let result = silently { $0.evaluate(negated, instance, tracking: false) }
        return !result.isValid || fail("not", ViolationMessage.not())
    }

    /// `if` is evaluated silently; `then`/`else` report their own violations. The keyword is compiled
    /// under the name "if", so the last schema path token is swapped while a branch runs.
    mutating func applyConditional(
        _ condition: Int, then: Int?, else otherwise: Int?, _ instance: JSONValue,
        tracking: Bool, evaluated: inout EvaluatedLocations
    ) -> Bool {
        let conditionResult = silently { $0.evaluate(condition, instance, tracking: tracking) }
        if conditionResult.isValid, tracking { evaluated.formUnion(conditionResult.evaluated) }
        let (branch, branchName) = conditionResult.isValid ? (then, "then") : (otherwise, "else")
        guard let branch else { return true }
        schemaPath[schemaPath.count - 1] = branchName
        defer { schemaPath[schemaPath.count - 1] = "if" }
        return applyInPlace(branch, instance, tracking: tracking, evaluated: &evaluated)
    }

    mutating func applyDependentSchemas(
        _ dependencies: [(property: String, schema: Int)], _ instance: JSONValue,
        tracking: Bool, evaluated: inout EvaluatedLocations
    ) -> Bool {
        guard case .object(let object) = instance else { return true }
        return applyEach(dependencies.lazy.filter { object[$0.property] != nil }) {
            $0.applyInPlace($1.schema, under: $1.property, instance, tracking: tracking, evaluated: &evaluated)
        }
    }

    // MARK: - Array items

    mutating func applyPrefixItems(
        _ subschemas: [Int], _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        guard case .array(let items) = instance else { return true }
        let count = min(items.count, subschemas.count)
        let keyword = schemaPath.last ?? "prefixItems"
        let isValid = applyEach(0..<count) { evaluator, index in
            evaluator.schemaPath.append(String(index))
            defer { evaluator.schemaPath.removeLast() }
            return evaluator.applyToItem(subschemas[index], items[index], at: index, keyword: keyword, rejectedAs: nil)
        }
        if tracking { evaluated.itemPrefix = max(evaluated.itemPrefix, count) }
        return isValid
    }

    mutating func applyItems(
        _ subschema: Int, from startIndex: Int, _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        guard case .array(let items) = instance, startIndex < items.count else { return true }
        let keyword = schemaPath.last ?? "items"
        let rejectedAs = startIndex > 0 ? "additional" : nil
        let isValid = applyEach(startIndex..<items.count) {
            $0.applyToItem(subschema, items[$1], at: $1, keyword: keyword, rejectedAs: rejectedAs)
        }
        if tracking { evaluated.allItems = true }
        return isValid
    }

    mutating func applyContains(
        _ subschema: Int, minimum: Int, maximum: Int?, minimumIsExplicit: Bool,
        _ instance: JSONValue, tracking: Bool, evaluated: inout EvaluatedLocations
    ) -> Bool {
        guard case .array(let items) = instance else { return true }
        var matches: [Int] = []
        silenced += 1
        for (index, item) in items.enumerated() {
            if descending(into: String(index), { $0.evaluate(subschema, item, tracking: false).isValid }) {
                matches.append(index)
            }
        }
        silenced -= 1
        if tracking { evaluated.items.formUnion(matches) }

        if matches.count < minimum {
            let keyword = minimumIsExplicit ? "minContains" : "contains"
            schemaPath[schemaPath.count - 1] = keyword
            defer { schemaPath[schemaPath.count - 1] = "contains" }
            return fail(keyword, ViolationMessage.contains(matches: matches.count, minimum: minimum, explicit: minimumIsExplicit))
        }
        if let maximum, matches.count > maximum {
            schemaPath[schemaPath.count - 1] = "maxContains"
            defer { schemaPath[schemaPath.count - 1] = "contains" }
            return fail("maxContains", ViolationMessage.maxContains(matches: matches.count, maximum: maximum))
        }
        return true
    }

    mutating func applyUnevaluatedItems(
        _ subschema: Int, _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        guard case .array(let items) = instance else { return true }
        let isValid = applyEach(items.indices.filter { !evaluated.containsItem($0) }) {
            $0.applyToItem(subschema, items[$1], at: $1, keyword: "unevaluatedItems", rejectedAs: "unevaluated")
        }
        if tracking { evaluated.allItems = true }
        return isValid
    }

    /// Evaluates one array item. A `false` subschema gets a message naming the item rather than the
    /// generic "schema is false".
    private mutating func applyToItem(
        _ subschema: Int, _ item: JSONValue, at index: Int, keyword: String,
        rejectedAs qualifier: String?
    ) -> Bool {
        descending(into: String(index)) {
            if $0.schema.nodes[subschema].isAlwaysInvalid {
                return $0.fail(keyword, ViolationMessage.notAllowed(item: index, qualifier))
            }
            return $0.evaluate(subschema, item, tracking: false).isValid
        }
    }

    // MARK: - Object members

    mutating func applyProperties(
        _ properties: [(name: String, schema: Int)], _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        guard case .object(let object) = instance else { return true }
        return applyEach(properties) { evaluator, property in
            guard let value = object[property.name] else { return true }
            if tracking { evaluated.properties.insert(property.name) }
            evaluator.schemaPath.append(property.name)
            defer { evaluator.schemaPath.removeLast() }
            return evaluator.applyToMember(property.schema, value, named: property.name, keyword: "properties", rejectedAs: nil)
        }
    }

    mutating func applyPatternProperties(
        _ patterns: [(pattern: RegexPattern, schema: Int)], _ instance: JSONValue,
        tracking: Bool, evaluated: inout EvaluatedLocations
    ) -> Bool {
        guard case .object(let object) = instance else { return true }
        var isValid = true
        for name in object.keys.sorted() {
            for (pattern, subschema) in patterns where matches(pattern, name) {
                if tracking { evaluated.properties.insert(name) }
                schemaPath.append(pattern.source)
                let memberValid = applyToMember(
                    subschema, object[name]!, named: name, keyword: "patternProperties", rejectedAs: nil)
                schemaPath.removeLast()
                if !memberValid {
                    isValid = false
                    if silenced > 0 { return false }
                }
            }
        }
        return isValid
    }

    mutating func applyAdditionalProperties(
        _ subschema: Int, declaredNames: Set<String>, patterns: [RegexPattern],
        _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        guard case .object(let object) = instance else { return true }
        let additional = object.keys.sorted().filter { !declaredNames.contains($0) && !matchesAny(patterns, $0) }
        if tracking { evaluated.properties.formUnion(additional) }
        return applyEach(additional) {
            $0.applyToMember(subschema, object[$1]!, named: $1, keyword: "additionalProperties", rejectedAs: "additional")
        }
    }

    /// Reports one violation per rejected name, at the object (names have no pointer of their own).
    mutating func applyPropertyNames(_ subschema: Int, _ instance: JSONValue) -> Bool {
        guard case .object(let object) = instance else { return true }
        return applyEach(object.keys.sorted()) { evaluator, name in
            let nameValid = evaluator.silently { evaluator in
                evaluator.descending(into: nil) { $0.evaluate(subschema, .string(name), tracking: false).isValid }
            }
            return nameValid || evaluator.fail("propertyNames", ViolationMessage.propertyName(name))
        }
    }

    mutating func applyUnevaluatedProperties(
        _ subschema: Int, _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        guard case .object(let object) = instance else { return true }
        let unevaluated = object.keys.sorted().filter { !evaluated.properties.contains($0) }
        let isValid = applyEach(unevaluated) {
            $0.applyToMember(subschema, object[$1]!, named: $1, keyword: "unevaluatedProperties", rejectedAs: "unevaluated")
        }
        if tracking { evaluated.properties.formUnion(object.keys) }
        return isValid
    }

    /// Evaluates one object member; see `applyToItem`.
    private mutating func applyToMember(
        _ subschema: Int, _ value: JSONValue, named name: String, keyword: String,
        rejectedAs qualifier: String?
    ) -> Bool {
        descending(into: name) {
            if $0.schema.nodes[subschema].isAlwaysInvalid {
                return $0.fail(keyword, ViolationMessage.notAllowed(property: name, qualifier))
            }
            return $0.evaluate(subschema, value, tracking: false).isValid
        }
    }
}
