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
    let nodes: [TemplateNode]

    /// Parses `source`; throws `TemplateSyntaxError` with the 1-based line and column of the problem.
    public init(source: String) throws {
        try self.init(source: source, name: "template")
    }

    public init(source: String, name: String) throws {
        self.name = name
        nodes = try TemplateParser.parse(source)
    }

    /// Renders with the top-level keys of `context` as variables (a non-object context provides
    /// no variables). Throws `TemplateRenderError`.
    public func render(_ context: JSONValue) throws -> String {
        try TemplateRenderer(templateName: name, context: context).render(nodes)
    }
}
