import BrokkrCommon
import BrokkrJSONSchema

/// Template ↔ stack matching: a template without labels and annotations fits every stack; otherwise
/// every template label must be on the stack, and every template annotation (key and value).
public struct TemplateMatch: Sendable, Equatable {
    public let missingLabels: [String]
    public let missingAnnotations: [(String, String)]
    public var matches: Bool { missingLabels.isEmpty && missingAnnotations.isEmpty }

    public init(
        templateLabels: [String], templateAnnotations: [(String, String)],
        stackLabels: [String], stackAnnotations: [(String, String)]
    ) {
        let labels = Set(stackLabels)
        let annotations = Set(stackAnnotations.map { "\($0.0)\u{0}\($0.1)" })
        missingLabels = templateLabels.filter { !labels.contains($0) }
        missingAnnotations = templateAnnotations.filter { !annotations.contains("\($0.0)\u{0}\($0.1)") }
    }

    public static func == (a: TemplateMatch, b: TemplateMatch) -> Bool {
        a.missingLabels == b.missingLabels && a.missingAnnotations.map { [$0.0, $0.1] } == b.missingAnnotations.map { [$0.0, $0.1] }
    }
}
