import BrokkrCommon
import BrokkrJSONSchema

// Filters on arrays and objects, with the behaviour of Tera's `array.rs`, `object.rs` and the
// collection half of `common.rs`.

enum CollectionFilters {
    static let all: [String: FilterFunction] = [
        // `first`, `last` and `nth` give "" for an empty array or a missing index.
        "first": { value, args in try array(value, args).first ?? .string("") },
        "last": { value, args in try array(value, args).last ?? .string("") },
        "nth": { value, args in
            let elements = try array(value, args)
            if elements.isEmpty { return .string("") }
            guard let n = try args.unsigned("n") else {
                throw EvaluationError("The `nth` filter has to have an `n` argument")
            }
            return n < elements.count ? elements[n] : .string("")
        },
        "join": { value, args in
            let elements = try array(value, args)
            let separator = StringFilters.unescapeSeparator(try args.string("sep") ?? "")
            // Many elements times a long separator can be far larger than either.
            try args.checkProjectedSize(max(elements.count - 1, 0).multipliedReportingOverflow(by: separator.utf8.count).partialValue)
            let parts = elements.map(\.renderedText)
            try args.checkProjectedSize(parts.reduce(0) { $0 + $1.utf8.count } + max(parts.count - 1, 0) * separator.utf8.count)
            return .string(parts.joined(separator: separator))
        },
        "sort": sort,
        "unique": unique,
        "slice": slice,
        "group_by": groupBy,
        "filter": { value, args in
            let elements = try array(value, args)
            if elements.isEmpty { return .array([]) }
            guard let attribute = try args.string("attribute") else {
                throw EvaluationError("The `filter` filter has to have an `attribute` argument")
            }
            let wanted = args["value"] ?? .null
            return .array(
                elements.filter { element in
                    let found = element.dottedPointer(attribute) ?? .null
                    return wanted == .null ? found != .null : found == wanted
                })
        },
        "map": { value, args in
            let elements = try array(value, args)
            if elements.isEmpty { return .array([]) }
            guard let attribute = try args.string("attribute") else {
                throw EvaluationError("The `map` filter has to have an `attribute` argument")
            }
            return .array(
                elements.compactMap { element in
                    guard let found = element.dottedPointer(attribute), found != .null else { return nil }
                    return found
                })
        },
        "concat": { value, args in
            var elements = try array(value, args)
            guard let with = args["with"] else {
                throw EvaluationError("The `concat` filter has to have a `with` argument")
            }
            if case .array(let more) = with { elements += more } else { elements.append(with) }
            return .array(elements)
        },
        "length": { value, _ in
            switch value {
            case .array(let a): return .int(Int64(a.count))
            case .object(let o): return .int(Int64(o.count))
            case .string(let s): return .int(Int64(s.unicodeScalars.count))
            default:
                throw EvaluationError("Filter `length` was used on a value that isn't an array, an object, or a string.")
            }
        },
        "reverse": { value, _ in
            switch value {
            case .array(let a): return .array(a.reversed())
            case .string(let s): return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed())))
            default:
                throw EvaluationError(
                    "Filter `reverse` received an incorrect type for arg `value`: got `\(value.jsonText())` but expected Array|String")
            }
        },
        "get": { value, args in
            guard let key = try args.string("key") else {
                throw EvaluationError("The `get` filter has to have an `key` argument")
            }
            guard case .object(let members) = value else {
                throw EvaluationError("Filter `get` was used on a value that isn't an object")
            }
            if let found = members[key] { return found }
            if let fallback = args["default"] { return fallback }
            throw EvaluationError("Filter `get` tried to get key `\(key)` but it wasn't found")
        },
        // Extensions (not Tera 1.x filters): an object's keys, or values, in key order.
        "keys": { value, args in
            .array(JSONValue.sortedKeys(try object(value, args)).map(JSONValue.string))
        },
        "values": { value, args in
            let members = try object(value, args)
            return .array(JSONValue.sortedKeys(members).map { members[$0]! })
        },
    ]

    private static func array(_ value: JSONValue, _ args: FilterArguments) throws -> [JSONValue] {
        try Convert.array(value, filter: args.filter)
    }

    private static func object(_ value: JSONValue, _ args: FilterArguments) throws -> [String: JSONValue] {
        guard case .object(let members) = value else {
            throw Convert.mismatch(value, "Map<String, Value>", filter: args.filter, argument: "value")
        }
        return members
    }

    private static func attributeValue(_ element: JSONValue, _ attribute: String) throws -> JSONValue {
        guard let found = element.dottedPointer(attribute) else {
            throw EvaluationError("attribute '\(attribute)' does not reference a field")
        }
        return found
    }

    /// Sorts ascending (stable) by the elements, or by their `attribute`. The first element's type
    /// decides how: numbers, strings (byte order), booleans, or arrays (by length); mixing types
    /// is an error, as in Tera.
    private static let sort: FilterFunction = { value, args in
        let elements = try array(value, args)
        guard let first = elements.first else { return .array([]) }
        let attribute = try args.string("attribute") ?? ""
        let kind = try attributeValue(first, attribute)
        var keyed: [(element: JSONValue, key: SortKey)] = []
        for element in elements {
            keyed.append((element, try SortKey(try attributeValue(element, attribute), like: kind)))
        }
        let sorted = keyed.enumerated().sorted { a, b in
            a.element.key < b.element.key || (!(b.element.key < a.element.key) && a.offset < b.offset)
        }
        return .array(sorted.map(\.element.element))
    }

    private enum SortKey: Comparable {
        case number(Double), string([UInt8]), bool(Bool), length(Int)

        init(_ value: JSONValue, like first: JSONValue) throws {
            switch (first, value) {
            case (.null, _): throw EvaluationError("Null is not a sortable value")
            case (.object, _): throw EvaluationError("Object is not a sortable value")
            case (.int, .int(let i)), (.double, .int(let i)): self = .number(Double(i))
            case (.int, .double(let d)), (.double, .double(let d)): self = .number(d)
            case (.int, _), (.double, _): throw EvaluationError("expected number got \(value.jsonText())")
            case (.string, .string(let s)): self = .string(Array(s.utf8))
            case (.string, _): throw EvaluationError("expected string got \(value.jsonText())")
            case (.bool, .bool(let b)): self = .bool(b)
            case (.bool, _): throw EvaluationError("expected bool got \(value.jsonText())")
            case (.array, .array(let a)): self = .length(a.count)
            case (.array, _): throw EvaluationError("expected array got \(value.jsonText())")
            }
        }

        static func < (lhs: SortKey, rhs: SortKey) -> Bool {
            switch (lhs, rhs) {
            case (.number(let a), .number(let b)): return a < b
            case (.string(let a), .string(let b)): return a.lexicographicallyPrecedes(b)
            case (.bool(let a), .bool(let b)): return !a && b
            case (.length(let a), .length(let b)): return a < b
            default: return false
            }
        }
    }

    /// Keeps the first occurrence of each element (or `attribute`). Strings compare case-insensitively
    /// unless `case_sensitive=true`; integers, strings and booleans only, as in Tera.
    private static let unique: FilterFunction = { value, args in
        let elements = try array(value, args)
        guard let first = elements.first else { return .array([]) }
        let caseSensitive = try args.bool("case_sensitive") ?? false
        let attribute = try args.string("attribute") ?? ""
        let kind = try attributeValue(first, attribute)
        switch kind {
        case .null: throw EvaluationError("Null is not a unique value")
        case .double: throw EvaluationError("Unique floats are not implemented")
        case .array: throw EvaluationError("Unique arrays are not implemented")
        case .object: throw EvaluationError("Unique objects are not implemented")
        default: break
        }
        var seen = Set<JSONValue>()
        var result: [JSONValue] = []
        for element in elements {
            guard let key = element.dottedPointer(attribute) else { continue }
            let normalized: JSONValue
            switch (kind, key) {
            case (.int, .int), (.bool, .bool):
                normalized = key
            case (.string, .string(let s)):
                normalized = .string(caseSensitive ? s : s.lowercased())
            case (.int, .double):
                throw EvaluationError("expected number got \(key.jsonText())")
            default:
                throw EvaluationError("unique filter can't compare multiple types")
            }
            if seen.insert(normalized).inserted { result.append(element) }
        }
        return .array(result)
    }

    /// `start` (inclusive) to `end` (exclusive); negative values count from the end.
    private static let slice: FilterFunction = { value, args in
        let elements = try array(value, args)
        if elements.isEmpty { return .array([]) }
        func index(_ i: Double) -> Int {
            let position = i >= 0 ? i : Double(elements.count) + i
            return position <= 0 ? 0 : Int(Operators.saturatingInt64(position))
        }
        let start = try args.double("start").map(index) ?? 0
        var end = try args.double("end").map(index) ?? elements.count
        end = min(end, elements.count)
        guard start < end else { return .array([]) }
        return .array(Array(elements[start..<end]))
    }

    /// Groups elements by `attribute` into an object keyed by the attribute's text (JSON text for
    /// non-strings); elements without it, or with `null`, are dropped.
    private static let groupBy: FilterFunction = { value, args in
        let elements = try array(value, args)
        if elements.isEmpty { return .object([:]) }
        guard let attribute = try args.string("attribute") else {
            throw EvaluationError("The `group_by` filter has to have an `attribute` argument")
        }
        var groups: [String: [JSONValue]] = [:]
        for element in elements {
            guard let key = element.dottedPointer(attribute), key != .null else { continue }
            let name: String
            if case .string(let s) = key { name = s } else { name = key.jsonText() }
            groups[name, default: []].append(element)
        }
        return .object(groups.mapValues(JSONValue.array))
    }
}
