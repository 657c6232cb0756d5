import BrokkrCommon
import Foundation

/// Assertion keywords: checks on the instance itself. Each applies only to its own instance type and
/// passes for other types (`maximum` ignores strings, `required` ignores arrays, ...).
extension SchemaEvaluator {
    mutating func checkEnumeration(_ instance: JSONValue, _ allowed: [JSONValue]) -> Bool {
        allowed.contains(where: { $0.isSchemaEqual(to: instance) })
            || fail("enum", ViolationMessage.enumeration(instance, allowed: allowed))
    }

    mutating func checkMultipleOf(_ instance: JSONValue, _ divisor: JSONValue) -> Bool {
        guard instance.numberValue != nil else { return true }
        return JSONNumber.isMultiple(instance, of: divisor)
            || fail("multipleOf", ViolationMessage.multipleOf(instance, divisor: divisor))
    }

    /// `maximum`, `exclusiveMaximum`, `minimum`, `exclusiveMinimum`: passes when comparing the instance
    /// with `limit` gives one of `allowed`.
    mutating func checkBound(
        _ instance: JSONValue, _ limit: JSONValue, keyword: String,
        allowed: [ComparisonResult]
    ) -> Bool {
        guard let order = JSONNumber.compare(instance, limit), !allowed.contains(order) else { return true }
        return fail(keyword, ViolationMessage.bound(instance, keyword: keyword, limit: limit))
    }

    /// String length counts Unicode code points, not UTF-16 units or grapheme clusters.
    mutating func checkLength(_ instance: JSONValue, _ limit: Int, isMaximum: Bool) -> Bool {
        guard case .string(let string) = instance else { return true }
        let length = string.unicodeScalars.count
        guard isMaximum ? length > limit : length < limit else { return true }
        return fail(isMaximum ? "maxLength" : "minLength", ViolationMessage.length(instance, length: length, limit: limit, isMaximum: isMaximum))
    }

    mutating func checkPattern(_ instance: JSONValue, _ pattern: RegexPattern) -> Bool {
        guard case .string(let string) = instance else { return true }
        return matches(pattern, string) || fail("pattern", ViolationMessage.pattern(instance, pattern: pattern.source))
    }

    mutating func checkItemCount(_ instance: JSONValue, _ limit: Int, isMaximum: Bool) -> Bool {
        guard case .array(let items) = instance else { return true }
        guard isMaximum ? items.count > limit : items.count < limit else { return true }
        return fail(isMaximum ? "maxItems" : "minItems", ViolationMessage.itemCount(items.count, limit: limit, isMaximum: isMaximum))
    }

    /// Hashes schema-equality keys (`1` and `1.0` collide), making this linear rather than quadratic.
    mutating func checkUniqueItems(_ instance: JSONValue) -> Bool {
        guard case .array(let items) = instance, items.count > 1 else { return true }
        var firstIndex: [SchemaEqualityKey: Int] = [:]
        for (index, item) in items.enumerated() {
            let key = item.schemaEqualityKey
            if let earlier = firstIndex[key] {
                return fail("uniqueItems", ViolationMessage.uniqueItems(first: earlier, duplicate: index))
            }
            firstIndex[key] = index
        }
        return true
    }

    mutating func checkPropertyCount(_ instance: JSONValue, _ limit: Int, isMaximum: Bool) -> Bool {
        guard case .object(let object) = instance else { return true }
        guard isMaximum ? object.count > limit : object.count < limit else { return true }
        return fail(
            isMaximum ? "maxProperties" : "minProperties", ViolationMessage.propertyCount(object.count, limit: limit, isMaximum: isMaximum))
    }

    /// Reports every missing property, not just the first.
    mutating func checkRequired(_ instance: JSONValue, _ names: [String]) -> Bool {
        guard case .object(let object) = instance else { return true }
        var isValid = true
        for name in names where object[name] == nil {
            isValid = fail("required", ViolationMessage.required(name))
            if silenced > 0 { break }
        }
        return isValid
    }

    mutating func checkDependentRequired(
        _ instance: JSONValue,
        _ dependencies: [(property: String, required: [String])]
    ) -> Bool {
        guard case .object(let object) = instance else { return true }
        let keyword = schemaPath.last ?? "dependentRequired"
        var isValid = true
        for (property, required) in dependencies where object[property] != nil {
            for name in required where object[name] == nil {
                isValid = fail(keyword, ViolationMessage.dependentRequired(name, because: property))
                if silenced > 0 { return false }
            }
        }
        return isValid
    }
}
