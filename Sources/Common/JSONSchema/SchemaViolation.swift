import BrokkrCommon
import Foundation

/// One reason an instance does not satisfy a schema.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// JSON Pointer (RFC 6901) into the instance; "" is the root, e.g. "/replicas".
    public let instancePath: String
    /// JSON Pointer along the evaluation path through the schema, e.g. "/properties/replicas/maximum".
    /// Crossing a `$ref` keeps the keyword in the path ("/properties/a/$ref/type"), as in the
    /// specification's `keywordLocation`.
    public let schemaPath: String
    /// The keyword that failed, e.g. "maximum", "required", "additionalProperties".
    public let keyword: String
    /// Human readable explanation, e.g. "10 is greater than the maximum of 5".
    public let message: String

    public init(instancePath: String, schemaPath: String, keyword: String, message: String) {
        self.instancePath = instancePath
        self.schemaPath = schemaPath
        self.keyword = keyword
        self.message = message
    }

    public var description: String {
        "\(instancePath.isEmpty ? "/" : instancePath): \(message) (schema: \(schemaPath.isEmpty ? "/" : schemaPath))"
    }
}

/// Thrown by `JSONSchemaValidator.init` when the schema itself is unusable.
public struct SchemaCompilationError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { "invalid JSON Schema: \(message)" }
}
