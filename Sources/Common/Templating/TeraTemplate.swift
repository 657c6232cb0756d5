import BrokkrCommon
import BrokkrJSONSchema

/// A template in Tera 1.x syntax, parsed once and rendered any number of times.
///
/// Rendering matches Brokkr's use of Tera: a one-off template with HTML autoescaping off (the
/// output is YAML), the context's top-level keys as variables, and strict lookups (a missing
/// variable is an error unless guarded by `default` or a test).
///
/// ```swift
/// let template = try TeraTemplate(source: "replicas: {{ replicas | default(value=1) }}")
/// let yaml = try template.render(.object(["replicas": .int(3)]))   // "replicas: 3"
/// ```
public struct TeraTemplate: Sendable {
    /// The name used in render error messages (`... while rendering 'template'`). Brokkr renders
    /// every stack template under the name `template`.
    public let name: String
    /// Bounds on nesting (checked by `init`) and on the work of each `render`.
    public let limits: TemplateLimits
    let nodes: [TemplateNode]

    /// Parses `source`; throws `TemplateSyntaxError` with the 1-based line and column of the problem,
    /// also when blocks or expressions nest deeper than `limits` allow.
    public init(source: String, limits: TemplateLimits = .default) throws {
        try self.init(source: source, name: "template", limits: limits)
    }

    public init(source: String, name: String, limits: TemplateLimits = .default) throws {
        self.name = name
        self.limits = limits
        nodes = try TemplateParser.parse(source, limits: limits)
    }

    /// Renders with the top-level keys of `context` as variables (a non-object context provides
    /// no variables). Throws `TemplateRenderError`, also when a limit is exceeded (the message
    /// names the limit).
    public func render(_ context: JSONValue) throws -> String {
        try TemplateRenderer(templateName: name, context: context, limits: limits).render(nodes)
    }
}
