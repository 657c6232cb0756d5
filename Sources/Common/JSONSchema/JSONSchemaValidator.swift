import BrokkrCommon
import Foundation

/// A compiled JSON Schema (draft-07 or 2020-12) that validates instances.
///
/// Compile once and reuse: `init` resolves every reference and checks the schema; `validate` and
/// `isValid` only walk the compiled form. The value is immutable and `Sendable`, so one validator can
/// serve concurrent requests. Remote references are resolved only against `remotes` and the bundled
/// standard metaschemas; nothing is ever fetched. `format` is treated as an annotation (never asserted).
public struct JSONSchemaValidator: Sendable {
    private let compiled: CompiledSchema
    /// Bound on the schema nodes one validation evaluates; past it the instance is reported invalid.
    public let maxEvaluationSteps: Int

    /// Enough for large parameter documents against any reasonable schema (each step is one schema
    /// object applied at one instance location), and a fraction of a second of work.
    public static let defaultMaxEvaluationSteps = 250_000

    /// Base URI of a root schema without `$id`, so that its internal references have something to
    /// resolve against.
    static let defaultRootURI = "urn:jsonschema:root"

    /// Compiles a schema. The dialect comes from `$schema` (draft-07
    /// `http://json-schema.org/draft-07/schema#` or 2020-12 `https://json-schema.org/draft/2020-12/schema`);
    /// when absent, `defaultDialect` (2020-12 unless told otherwise) applies, also to remote documents
    /// without `$schema`.
    ///
    /// - Parameter remotes: absolute URI → schema document, for `$ref`s to other documents.
    /// - Throws: `SchemaCompilationError` when the schema is not an object or boolean, a keyword has a
    ///   value of the wrong shape (`"type": 5`, `"required": "x"`), a regex does not compile, a `$ref`
    ///   cannot be resolved, or `$schema` names an unknown metaschema.
    /// - Parameter maxEvaluationSteps: bound on the work of one `validate`/`isValid` call.
    public init(
        schema: JSONValue, remotes: [String: JSONValue] = [:],
        defaultDialect: JSONSchemaDialect = .draft2020_12,
        maxEvaluationSteps: Int = JSONSchemaValidator.defaultMaxEvaluationSteps
    ) throws {
        self.maxEvaluationSteps = maxEvaluationSteps
        let registry = SchemaRegistry(remotes: remotes, defaultDialect: defaultDialect)
        switch schema {
        case .object, .bool:
            break
        default:
            throw SchemaCompilationError(message: "a schema must be an object or a boolean, found \(schema.briefDescription)")
        }
        let root = try registry.addDocument(schema, uri: URIReference(JSONSchemaValidator.defaultRootURI))
        compiled = try SchemaCompiler(registry: registry).compile(root: root)
    }

    /// Every violation of the schema by `instance`; empty when it is valid. A schema whose
    /// references loop without consuming input, or whose evaluation exceeds `maxEvaluationSteps`,
    /// yields exactly one violation saying so.
    public func validate(_ instance: JSONValue) -> [SchemaViolation] {
        var evaluator = SchemaEvaluator(schema: compiled, collectsViolations: true, maxSteps: maxEvaluationSteps)
        _ = evaluator.evaluate(compiled.root, instance, tracking: false)
        if let abandoned = evaluator.abandoned { return [abandoned] }
        return evaluator.violations
    }

    /// Whether `instance` is valid; faster than `validate` because it stops at the first failure.
    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = SchemaEvaluator(schema: compiled, collectsViolations: false, maxSteps: maxEvaluationSteps)
        let result = evaluator.evaluate(compiled.root, instance, tracking: false)
        return result.isValid && evaluator.abandoned == nil
    }

    /// `instance` with schema `default`s filled in for absent object properties, recursively through
    /// `properties` (including schemas reached by `$ref` and `allOf`) and nested objects. Present values
    /// are never overwritten; non-object instances are returned unchanged.
    public func applyingDefaults(to instance: JSONValue) -> JSONValue {
        DefaultsApplier(schema: compiled).apply(compiled.root, to: instance)
    }
}
