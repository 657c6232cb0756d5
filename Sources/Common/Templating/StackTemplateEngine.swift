import BrokkrCommon
import BrokkrJSONSchema
import Foundation

/// What the broker does with a stack template: check it at creation (Tera syntax, JSON Schema), and
/// instantiate it (validate parameters, merge schema defaults, render).
public enum StackTemplateEngine {
    public enum Failure: Error, Sendable {
        /// Template content does not compile (message carries line and column).
        case invalidTemplate(String)
        /// `parameters_schema` is not JSON or not a valid schema.
        case invalidSchema(String)
        /// Parameters violate the schema; every violation is listed.
        case invalidParameters([SchemaViolation])
        /// Rendering failed (undefined variable, filter type error, …).
        case renderFailed(String)
    }

    /// Checks content and schema; returns nothing, throws the first problem found.
    public static func validate(
        content: String, parametersSchema: String,
        limits: TemplateLimits = .default
    ) throws(Failure) {
        guard !content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .invalidTemplate("Template content cannot be empty") }
        do {
            _ = try TeraTemplate(source: content, limits: limits)
        } catch {
            throw .invalidTemplate("Invalid Tera syntax: \(error)")
        }
        _ = try compileSchema(parametersSchema)
    }

    public static func compileSchema(_ text: String) throws(Failure) -> JSONSchemaValidator {
        let schema: JSONValue
        do { schema = try JSONValue.parse(text) } catch { throw .invalidSchema("Invalid JSON in parameters_schema: \(error)") }
        do { return try JSONSchemaValidator(schema: schema) } catch { throw .invalidSchema("Invalid JSON Schema: \(error)") }
    }

    /// Validates `parameters`, fills in schema defaults, and renders with each top-level key of the
    /// parameters as a template variable. `limits` bound nesting, loop iterations, output size and
    /// time; exceeding one is a `renderFailed` naming the limit.
    public static func render(
        content: String, parametersSchema: String, parameters: JSONValue,
        limits: TemplateLimits = .default
    ) throws(Failure) -> String {
        let validator = try compileSchema(parametersSchema)
        let violations = validator.validate(parameters)
        guard violations.isEmpty else { throw .invalidParameters(violations) }
        let withDefaults = validator.applyingDefaults(to: parameters)
        let context: JSONValue = withDefaults.objectValue != nil ? withDefaults : .object([:])
        do {
            return try TeraTemplate(source: content, limits: limits).render(context)
        } catch {
            throw .renderFailed("Template rendering failed: \(error)")
        }
    }
}
