import BrokkrCommon
import Foundation

/// A position inside one of the registry's documents.
struct SchemaLocation: Hashable, Sendable {
    let document: Int
    let pointer: [String]

    func appending(_ tokens: String...) -> SchemaLocation {
        SchemaLocation(document: document, pointer: pointer + tokens)
    }
}

/// What is lexically in effect at a schema location: the base URI for resolving references, the rules
/// (dialect and vocabularies) it is read with, and the schema resource it belongs to.
struct LexicalScope: Sendable {
    let baseURI: URIReference
    let rules: SchemaRules
    let resource: Int
}

/// A schema resource: a document root or a subschema with its own `$id`.
struct SchemaResource: Sendable {
    let location: SchemaLocation
    /// `$dynamicAnchor` names declared in this resource, by the location declaring them.
    var dynamicAnchors: [String: SchemaLocation] = [:]
}

/// The result of resolving a `$ref`/`$dynamicRef` value.
struct ResolvedReference {
    let location: SchemaLocation
    /// The fragment when it is a plain-name anchor (`#node`), nil for JSON Pointer fragments.
    let anchorName: String?
}

/// Knows every schema document in play (the root schema, the caller's remotes, bundled metaschemas)
/// and the identifiers declared in them, and resolves references to locations.
///
/// Documents are loaded lazily the first time a reference or `$schema` names them; loading runs the
/// identifier scan, which records `$id`s, anchors and each subschema's lexical scope. Only keywords
/// known to hold subschemas are scanned, so `$id` inside `enum`, `const` or unknown keywords is not an
/// identifier.
final class SchemaRegistry {
    private(set) var documents: [JSONValue] = []
    private var documentURIs: [String] = []
    private(set) var resources: [SchemaResource] = []
    private var resourceIndexByURI: [String: Int] = [:]
    private var resourceIndexByLocation: [SchemaLocation: Int] = [:]
    /// Plain-name anchors by "absolute-uri#name".
    private var anchors: [String: SchemaLocation] = [:]
    private var scopes: [SchemaLocation: LexicalScope] = [:]
    private var metaschemaRules: [String: SchemaRules] = [:]
    private var metaschemasBeingRead: Set<String> = []

    private let remotes: [String: JSONValue]
    let defaultDialect: JSONSchemaDialect

    init(remotes: [String: JSONValue], defaultDialect: JSONSchemaDialect) {
        var normalized: [String: JSONValue] = [:]
        for (uri, document) in remotes {
            normalized[URIReference(uri).withoutFragment.description] = document
        }
        self.remotes = normalized
        self.defaultDialect = defaultDialect
    }

    // MARK: - Documents

    /// Registers `document` as retrievable at `uri` and scans its identifiers.
    @discardableResult
    func addDocument(_ document: JSONValue, uri: URIReference) throws -> SchemaLocation {
        let base = uri.withoutFragment
        let location = SchemaLocation(document: documents.count, pointer: [])
        documents.append(document)
        documentURIs.append(base.description)
        let resource = registerResource(uri: base.description, at: location)
        try scan(
            document, at: location, base: base, rules: SchemaRules(dialect: defaultDialect),
            resource: resource, isDocumentRoot: true)
        return location
    }

    func value(at location: SchemaLocation) -> JSONValue? {
        JSONPointer.resolve(location.pointer, in: documents[location.document])
    }

    /// "uri#/pointer", for error messages.
    func describe(_ location: SchemaLocation) -> String {
        documentURIs[location.document] + "#" + JSONPointer.string(from: location.pointer)
    }

    /// The lexical scope at `location`. Locations the identifier scan did not reach (a `$ref` into an
    /// unknown keyword, say) inherit the scope of their nearest scanned ancestor and are scanned now.
    func scope(at location: SchemaLocation) throws -> LexicalScope {
        if let scope = scopes[location] { return scope }
        var ancestor = location.pointer
        while !ancestor.isEmpty {
            ancestor.removeLast()
            if let parent = scopes[SchemaLocation(document: location.document, pointer: ancestor)],
                let value = value(at: location)
            {
                try scan(
                    value, at: location, base: parent.baseURI, rules: parent.rules,
                    resource: parent.resource, isDocumentRoot: false)
                if let scope = scopes[location] { return scope }
                break
            }
        }
        throw SchemaCompilationError(message: "no schema at \(describe(location))")
    }

    // MARK: - Reference resolution

    /// Resolves a `$ref`-style URI reference against `base`, loading remote documents as needed.
    func resolve(_ reference: String, against base: URIReference) throws -> ResolvedReference {
        let target = URIReference(reference).resolved(against: base)
        let resourceURI = target.withoutFragment.description
        guard let resourceLocation = try locateResource(resourceURI) else {
            throw SchemaCompilationError(message: "cannot resolve $ref \"\(reference)\": no schema is known as \(resourceURI)")
        }
        let fragment = target.fragment ?? ""
        if let tokens = JSONPointer.tokens(fromURIFragment: fragment) {
            let location = SchemaLocation(document: resourceLocation.document, pointer: resourceLocation.pointer + tokens)
            guard value(at: location) != nil else {
                throw SchemaCompilationError(message: "cannot resolve $ref \"\(reference)\": \(resourceURI) has nothing at #\(fragment)")
            }
            return ResolvedReference(location: location, anchorName: nil)
        }
        guard let location = anchors[resourceURI + "#" + fragment] else {
            throw SchemaCompilationError(message: "cannot resolve $ref \"\(reference)\": \(resourceURI) has no anchor \"\(fragment)\"")
        }
        return ResolvedReference(location: location, anchorName: fragment)
    }

    /// The location of the resource known as `uri`, loading it from the remotes or the bundled
    /// metaschemas on first use. Nil when nothing is known under that URI (nothing is ever fetched).
    private func locateResource(_ uri: String) throws -> SchemaLocation? {
        if let index = resourceIndexByURI[uri] { return resources[index].location }
        guard let document = remotes[uri] ?? BundledMetaschemas.document(for: uri) else { return nil }
        return try addDocument(document, uri: URIReference(uri))
    }

    // MARK: - Identifier scan

    private func registerResource(uri: String, at location: SchemaLocation) -> Int {
        let index: Int
        if let existing = resourceIndexByLocation[location] {
            index = existing
        } else {
            index = resources.count
            resources.append(SchemaResource(location: location))
            resourceIndexByLocation[location] = index
        }
        // The first registration wins, so a root schema shadows a remote claiming the same URI.
        if resourceIndexByURI[uri] == nil { resourceIndexByURI[uri] = index }
        return index
    }

    private func registerAnchor(_ name: String, base: URIReference, at location: SchemaLocation) {
        let key = base.withoutFragment.description + "#" + name
        if anchors[key] == nil { anchors[key] = location }
    }

    private func scan(
        _ value: JSONValue, at location: SchemaLocation, base: URIReference, rules: SchemaRules,
        resource: Int, isDocumentRoot: Bool
    ) throws {
        guard case .object(let object) = value else {
            scopes[location] = LexicalScope(baseURI: base, rules: rules, resource: resource)
            return
        }
        var base = base
        var rules = rules
        var resource = resource

        // `$schema` may only appear at a resource root: the document or (2020-12) an embedded `$id` schema.
        if let metaschema = object["$schema"] {
            guard case .string(let uri) = metaschema else {
                throw SchemaCompilationError(message: "\"$schema\" must be a string at \(describe(location))")
            }
            if isDocumentRoot || object["$id"] != nil {
                rules = try self.rules(forMetaschema: uri)
            }
        }

        if let idValue = object["$id"] {
            guard case .string(let id) = idValue else {
                throw SchemaCompilationError(message: "\"$id\" must be a string at \(describe(location))")
            }
            // Draft 7 ignores every sibling of `$ref`, including `$id`.
            let ignored = rules.isDraft7 && object["$ref"] != nil
            if !ignored {
                if rules.isDraft7, id.hasPrefix("#") {
                    registerAnchor(String(id.dropFirst()), base: base, at: location)
                } else {
                    let resolved = URIReference(id).resolved(against: base)
                    base = resolved.withoutFragment
                    resource = registerResource(uri: base.description, at: location)
                    if rules.isDraft7, let fragment = resolved.fragment, !fragment.isEmpty {
                        registerAnchor(fragment, base: base, at: location)
                    }
                }
            }
        }
        if !rules.isDraft7 {
            if case .string(let anchor) = object["$anchor"] {
                registerAnchor(anchor, base: base, at: location)
            }
            if case .string(let anchor) = object["$dynamicAnchor"] {
                // A dynamic anchor is also an ordinary anchor for `$ref`.
                registerAnchor(anchor, base: base, at: location)
                if resources[resource].dynamicAnchors[anchor] == nil {
                    resources[resource].dynamicAnchors[anchor] = location
                }
            }
        }
        scopes[location] = LexicalScope(baseURI: base, rules: rules, resource: resource)

        for keyword in rules.singleSubschemaKeywords {
            if let subschema = object[keyword] {
                try scan(
                    subschema, at: location.appending(keyword), base: base, rules: rules,
                    resource: resource, isDocumentRoot: false)
            }
        }
        for keyword in rules.subschemaArrayKeywords {
            if case .array(let subschemas) = object[keyword] {
                for (index, subschema) in subschemas.enumerated() {
                    try scan(
                        subschema, at: location.appending(keyword, String(index)), base: base, rules: rules,
                        resource: resource, isDocumentRoot: false)
                }
            }
        }
        for keyword in rules.subschemaMapKeywords {
            if case .object(let subschemas) = object[keyword] {
                for (name, subschema) in subschemas {
                    try scan(
                        subschema, at: location.appending(keyword, name), base: base, rules: rules,
                        resource: resource, isDocumentRoot: false)
                }
            }
        }
        if rules.isDraft7 {
            // Draft 7 `items` holds a schema or an array of schemas.
            switch object["items"] {
            case .array(let subschemas)?:
                for (index, subschema) in subschemas.enumerated() {
                    try scan(
                        subschema, at: location.appending("items", String(index)), base: base, rules: rules,
                        resource: resource, isDocumentRoot: false)
                }
            case let subschema?:
                try scan(
                    subschema, at: location.appending("items"), base: base, rules: rules,
                    resource: resource, isDocumentRoot: false)
            case nil:
                break
            }
        }
        // `dependencies` (draft 7, and honoured by 2020-12 for compatibility) holds schemas or name lists.
        if case .object(let dependencies) = object["dependencies"] {
            for (name, dependency) in dependencies where dependency.arrayValue == nil {
                try scan(
                    dependency, at: location.appending("dependencies", name), base: base, rules: rules,
                    resource: resource, isDocumentRoot: false)
            }
        }
    }

    // MARK: - Dialects

    /// The rules a schema declaring `"$schema": uri` is read with. The two supported dialects are
    /// recognised by URI; any other metaschema must be available (remote or bundled) and is read for its
    /// own dialect and its `$vocabulary`.
    private func rules(forMetaschema uri: String) throws -> SchemaRules {
        if let dialect = JSONSchemaDialect(metaSchemaURI: uri) { return SchemaRules(dialect: dialect) }
        let key = URIReference(uri).withoutFragment.description
        if let known = metaschemaRules[key] { return known }
        guard !metaschemasBeingRead.contains(key) else {
            throw SchemaCompilationError(message: "metaschema \(uri) refers to itself through $schema")
        }
        metaschemasBeingRead.insert(key)
        defer { metaschemasBeingRead.remove(key) }

        guard let location = try locateResource(key), case .object(let metaschema)? = value(at: location) else {
            throw SchemaCompilationError(
                message: "unsupported or unknown $schema \"\(uri)\" (supported: draft-07, 2020-12, or a metaschema passed in remotes)")
        }
        let metaschemaScope = try scope(at: location)
        var vocabularies = metaschemaScope.rules.vocabularies
        if !metaschemaScope.rules.isDraft7, case .object(let declared)? = metaschema["$vocabulary"] {
            vocabularies = [.core]
            for (vocabularyURI, required) in declared {
                if let vocabulary = Vocabularies.named(vocabularyURI) {
                    vocabularies.insert(vocabulary)
                } else if required == .bool(true) {
                    throw SchemaCompilationError(message: "metaschema \(uri) requires unsupported vocabulary \(vocabularyURI)")
                }
            }
        }
        let rules = SchemaRules(dialect: metaschemaScope.rules.dialect, vocabularies: vocabularies)
        metaschemaRules[key] = rules
        return rules
    }
}
