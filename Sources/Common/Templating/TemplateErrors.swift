import BrokkrCommon
import BrokkrJSONSchema

/// A template that does not compile. `line` and `column` are 1-based and point at the offending
/// token (for block-structure errors such as an unmatched `endif`, at the `{%` of that tag).
public struct TemplateSyntaxError: Error, CustomStringConvertible, Sendable, Equatable {
    public let line: Int
    public let column: Int
    public let message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    init(_ message: String, at location: SourceLocation) {
        self.init(line: location.line, column: location.column, message: message)
    }

    public var description: String { "syntax error at line \(line), column \(column): \(message)" }
}

/// A failure while rendering: undefined variable, wrong value type for a filter, bad math, ...
/// `line` is the line of the tag whose evaluation failed.
public struct TemplateRenderError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public let line: Int?

    public init(message: String, line: Int?) {
        self.message = message
        self.line = line
    }

    public var description: String {
        if let line { return "render error at line \(line): \(message)" }
        return "render error: \(message)"
    }
}

/// A 1-based position in the template source.
struct SourceLocation: Sendable, Equatable {
    let line: Int
    let column: Int
}

/// An evaluation failure not yet attributed to a template line; the renderer adds the line.
struct EvaluationError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
