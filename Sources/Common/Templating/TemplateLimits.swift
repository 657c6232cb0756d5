import BrokkrCommon
import BrokkrJSONSchema

/// Bounds on the work one template may cause, so that a hostile or careless template fails with an
/// error instead of exhausting the stack, the CPU or memory of the process rendering it.
public struct TemplateLimits: Sendable, Equatable {
    /// Deepest nesting of `if`/`for`/`filter` blocks the parser accepts.
    public var maxBlockDepth: Int
    /// Deepest nesting of an expression (parentheses, calls, arrays, operator chains).
    public var maxExpressionDepth: Int
    /// Loop iterations across one whole render, all loops together. Also caps the length of a `range()`.
    public var maxIterations: Int
    /// Size of the output, and of any single string or collection built while rendering, in bytes.
    public var maxOutputBytes: Int
    /// Wall-clock time one render may take, in milliseconds.
    public var renderTimeoutMilliseconds: Int

    public init(
        maxBlockDepth: Int = 100, maxExpressionDepth: Int = 64, maxIterations: Int = 100_000,
        maxOutputBytes: Int = 4 * 1024 * 1024, renderTimeoutMilliseconds: Int = 2_000
    ) {
        self.maxBlockDepth = maxBlockDepth
        self.maxExpressionDepth = maxExpressionDepth
        self.maxIterations = maxIterations
        self.maxOutputBytes = maxOutputBytes
        self.renderTimeoutMilliseconds = renderTimeoutMilliseconds
    }

    public static let `default` = TemplateLimits()

    /// The limits the broker is configured with (`broker.template_*`); depths keep their defaults.
    public init(_ broker: Settings.Broker) {
        self.init(
            maxIterations: broker.templateMaxIterations,
            maxOutputBytes: broker.templateMaxOutputBytes,
            renderTimeoutMilliseconds: broker.templateRenderTimeoutMilliseconds)
    }
}
