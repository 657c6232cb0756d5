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

    mutating func applyAllOf(
        _ subschemas: [Int], _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        var isValid = true
        for (index, subschema) in subschemas.enumerated() {
            schemaPath.append(String(index))
            let subschemaValid = applyInPlace(subschema, instance, tracking: tracking, evaluated: &evaluated)
            schemaPath.removeLast()
            if !subschemaValid {
                isValid = false
                if silenced > 0 { break }
            }
        }
        return isValid
    }

    /// Every branch is evaluated when tracking, because each passing branch contributes annotations.
    mutating func applyAnyOf(
        _ subschemas: [Int], _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        var anyValid = false
        silenced += 1
        for (index, subschema) in subschemas.enumerated() {
            schemaPath.append(String(index))
            let subschemaValid = applyInPlace(subschema, instance, tracking: tracking, evaluated: &evaluated)
            schemaPath.removeLast()
            if subschemaValid {
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
        var isValid = true
        for (property, subschema) in dependencies where object[property] != nil {
            schemaPath.append(property)
            let subschemaValid = applyInPlace(subschema, instance, tracking: tracking, evaluated: &evaluated)
            schemaPath.removeLast()
            if !subschemaValid {
                isValid = false
                if silenced > 0 { break }
            }
        }
        return isValid
    }

    // MARK: - Array items

    mutating func applyPrefixItems(
        _ subschemas: [Int], _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        guard case .array(let items) = instance else { return true }
        let count = min(items.count, subschemas.count)
        var isValid = true
        for index in 0..<count {
            schemaPath.append(String(index))
            let itemValid = applyToItem(
                subschemas[index], items[index], at: index, keyword: schemaPath[schemaPath.count - 2],
                falseMessage: ViolationMessage.itemNotAllowed)
            schemaPath.removeLast()
            if !itemValid {
                isValid = false
                if silenced > 0 { break }
            }
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
        let falseMessage = startIndex > 0 ? ViolationMessage.additionalItem : ViolationMessage.itemNotAllowed
        var isValid = true
        for index in startIndex..<items.count {
            if !applyToItem(subschema, items[index], at: index, keyword: keyword, falseMessage: falseMessage) {
                isValid = false
                if silenced > 0 { break }
            }
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
        var isValid = true
        for index in items.indices where !evaluated.containsItem(index) {
            if !applyToItem(
                subschema, items[index], at: index, keyword: "unevaluatedItems",
                falseMessage: ViolationMessage.unevaluatedItem)
            {
                isValid = false
                if silenced > 0 { break }
            }
        }
        if tracking { evaluated.allItems = true }
        return isValid
    }

    /// Evaluates one array item. A `false` subschema gets a message naming the item rather than the
    /// generic "schema is false".
    private mutating func applyToItem(
        _ subschema: Int, _ item: JSONValue, at index: Int, keyword: String,
        falseMessage: (Int) -> String
    ) -> Bool {
        descending(into: String(index)) {
            if $0.schema.nodes[subschema].isAlwaysInvalid {
                return $0.fail(keyword, falseMessage(index))
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
        var isValid = true
        for (name, subschema) in properties {
            guard let value = object[name] else { continue }
            if tracking { evaluated.properties.insert(name) }
            schemaPath.append(name)
            let memberValid = applyToMember(
                subschema, value, named: name, keyword: "properties",
                falseMessage: ViolationMessage.propertyNotAllowed)
            schemaPath.removeLast()
            if !memberValid {
                isValid = false
                if silenced > 0 { break }
            }
        }
        return isValid
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
                    subschema, object[name]!, named: name, keyword: "patternProperties",
                    falseMessage: ViolationMessage.propertyNotAllowed)
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
        var isValid = true
        for name in object.keys.sorted() where !declaredNames.contains(name) && !matchesAny(patterns, name) {
            if tracking { evaluated.properties.insert(name) }
            if !applyToMember(
                subschema, object[name]!, named: name, keyword: "additionalProperties",
                falseMessage: ViolationMessage.additionalProperty)
            {
                isValid = false
                if silenced > 0 { break }
            }
        }
        return isValid
    }

    /// Reports one violation per rejected name, at the object (names have no pointer of their own).
    mutating func applyPropertyNames(_ subschema: Int, _ instance: JSONValue) -> Bool {
        guard case .object(let object) = instance else { return true }
        var isValid = true
        for name in object.keys.sorted() {
            let nameValid = silently { evaluator in
                evaluator.descending(into: nil) { $0.evaluate(subschema, .string(name), tracking: false).isValid }
            }
            if !nameValid {
                isValid = fail("propertyNames", ViolationMessage.propertyName(name))
                if silenced > 0 { break }
            }
        }
        return isValid
    }

    mutating func applyUnevaluatedProperties(
        _ subschema: Int, _ instance: JSONValue, tracking: Bool,
        evaluated: inout EvaluatedLocations
    ) -> Bool {
        guard case .object(let object) = instance else { return true }
        var isValid = true
        for name in object.keys.sorted() where !evaluated.properties.contains(name) {
            if !applyToMember(
                subschema, object[name]!, named: name, keyword: "unevaluatedProperties",
                falseMessage: ViolationMessage.unevaluatedProperty)
            {
                isValid = false
                if silenced > 0 { break }
            }
        }
        if tracking { evaluated.properties.formUnion(object.keys) }
        return isValid
    }

    /// Evaluates one object member; see `applyToItem`.
    private mutating func applyToMember(
        _ subschema: Int, _ value: JSONValue, named name: String, keyword: String,
        falseMessage: (String) -> String
    ) -> Bool {
        descending(into: name) {
            if $0.schema.nodes[subschema].isAlwaysInvalid {
                return $0.fail(keyword, falseMessage(name))
            }
            return $0.evaluate(subschema, value, tracking: false).isValid
        }
    }
}
