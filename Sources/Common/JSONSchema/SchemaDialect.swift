import BrokkrCommon
import Foundation

/// The JSON Schema versions this validator understands.
public enum JSONSchemaDialect: String, Sendable, CaseIterable {
    case draft7 = "http://json-schema.org/draft-07/schema#"
    case draft2020_12 = "https://json-schema.org/draft/2020-12/schema"

    /// The dialect a `$schema` URI names directly, ignoring a trailing empty fragment and the scheme
    /// (`http` vs `https` are both seen in the wild). Draft 6 is read as draft 7, of which it is a subset.
    init?(metaSchemaURI: String) {
        var uri = metaSchemaURI
        if uri.hasSuffix("#") { uri.removeLast() }
        if uri.hasPrefix("https://") { uri = "http://" + uri.dropFirst("https://".count) }
        switch uri {
        case "http://json-schema.org/draft-07/schema", "http://json-schema.org/draft-06/schema": self = .draft7
        case "http://json-schema.org/draft/2020-12/schema": self = .draft2020_12
        default: return nil
        }
    }
}

/// The 2020-12 vocabularies. Draft 7 has no vocabularies, which is modelled as "all enabled".
struct Vocabularies: OptionSet, Hashable, Sendable {
    let rawValue: Int

    static let core = Vocabularies(rawValue: 1 << 0)
    static let applicator = Vocabularies(rawValue: 1 << 1)
    static let unevaluated = Vocabularies(rawValue: 1 << 2)
    static let validation = Vocabularies(rawValue: 1 << 3)
    static let metaData = Vocabularies(rawValue: 1 << 4)
    static let format = Vocabularies(rawValue: 1 << 5)
    static let content = Vocabularies(rawValue: 1 << 6)

    static let all: Vocabularies = [.core, .applicator, .unevaluated, .validation, .metaData, .format, .content]

    /// Maps a `$vocabulary` URI to the vocabulary it names, or nil for vocabularies this validator
    /// does not know. Format assertion is accepted but, like format annotation, never asserted.
    static func named(_ uri: String) -> Vocabularies? {
        let prefix = "https://json-schema.org/draft/2020-12/vocab/"
        guard uri.hasPrefix(prefix) else { return nil }
        switch uri.dropFirst(prefix.count) {
        case "core": return .core
        case "applicator": return .applicator
        case "unevaluated": return .unevaluated
        case "validation": return .validation
        case "meta-data": return .metaData
        case "format-annotation", "format-assertion": return .format
        case "content": return .content
        default: return nil
        }
    }
}

/// The rules a schema object is read with: its version and, for 2020-12, which vocabularies its
/// metaschema enables.
struct SchemaRules: Hashable, Sendable {
    let dialect: JSONSchemaDialect
    let vocabularies: Vocabularies

    init(dialect: JSONSchemaDialect, vocabularies: Vocabularies = .all) {
        self.dialect = dialect
        self.vocabularies = dialect == .draft7 ? .all : vocabularies
    }

    var isDraft7: Bool { dialect == .draft7 }

    func enables(_ vocabulary: Vocabularies) -> Bool { vocabularies.contains(vocabulary) }

    /// Keywords whose value is a single subschema.
    var singleSubschemaKeywords: [String] {
        switch dialect {
        case .draft7:
            return ["additionalItems", "contains", "additionalProperties", "propertyNames", "if", "then", "else", "not"]
        case .draft2020_12:
            return [
                "items", "contains", "additionalProperties", "propertyNames", "if", "then", "else", "not",
                "unevaluatedItems", "unevaluatedProperties", "contentSchema",
            ]
        }
    }

    /// Keywords whose value is an array of subschemas.
    var subschemaArrayKeywords: [String] {
        switch dialect {
        case .draft7: return ["allOf", "anyOf", "oneOf"]
        case .draft2020_12: return ["allOf", "anyOf", "oneOf", "prefixItems"]
        }
    }

    /// Keywords whose value is an object mapping names to subschemas.
    var subschemaMapKeywords: [String] {
        switch dialect {
        case .draft7: return ["properties", "patternProperties", "definitions"]
        case .draft2020_12: return ["properties", "patternProperties", "$defs", "dependentSchemas"]
        }
    }
}
