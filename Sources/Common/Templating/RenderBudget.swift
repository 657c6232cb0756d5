import BrokkrCommon
import BrokkrJSONSchema

// Tracks how much of its `TemplateLimits` one render has used. The renderer asks it before each loop
// iteration, after each append to the output and after each value a filter, function or literal
// builds, so that growth is caught within one step of crossing a limit.

final class RenderBudget {
    let limits: TemplateLimits
    private var iterations = 0
    private let deadline: ContinuousClock.Instant

    /// Values deeper than this cannot be built: serialising and releasing them recurse once per
    /// level. It matches what the JSON parser accepts for parameters.
    static let maxValueDepth = 512

    init(limits: TemplateLimits) {
        self.limits = limits
        deadline = ContinuousClock.now.advanced(by: .milliseconds(limits.renderTimeoutMilliseconds))
    }

    func countIteration() throws {
        iterations += 1
        guard iterations <= limits.maxIterations else {
            throw EvaluationError("Template exceeded the loop iteration limit of \(limits.maxIterations) iterations (broker.template_max_iterations)")
        }
        try checkTime()
    }

    func checkTime() throws {
        guard ContinuousClock.now < deadline else {
            throw EvaluationError(
                "Template exceeded the render time limit of \(limits.renderTimeoutMilliseconds) ms (broker.template_render_timeout_ms)")
        }
    }

    func checkOutput(_ out: String) throws {
        let bytes = out.utf8.count
        guard bytes <= limits.maxOutputBytes else { throw Self.sizeError("output", bytes: bytes, limit: limits.maxOutputBytes) }
    }

    /// Refuses a built value whose serialised size would pass the output limit, or whose nesting is
    /// too deep. The walk stops as soon as either is exceeded, so it never costs more than the limit,
    /// however much structure the value shares (`[a, a]` twice over doubles the size each time).
    func checkValue(_ value: JSONValue, _ what: @autoclosure () -> String) throws {
        let limit = limits.maxOutputBytes
        var bytes = 0
        var stack: [(JSONValue, Int)] = [(value, 1)]
        while let (current, depth) = stack.popLast() {
            guard depth <= Self.maxValueDepth else {
                throw EvaluationError("\(what()) is nested more than \(Self.maxValueDepth) levels deep")
            }
            switch current {
            case .string(let s): bytes += s.utf8.count + 2
            case .array(let elements):
                bytes += 2 + elements.count
                // Scalars are counted in place; only nested containers go on the stack.
                for element in elements where bytes <= limit {
                    switch element {
                    case .array, .object: stack.append((element, depth + 1))
                    case .string(let s): bytes += s.utf8.count + 2
                    default: bytes += 8
                    }
                }
            case .object(let members):
                bytes += 2 + members.count * 4
                for (key, member) in members where bytes <= limit {
                    bytes += key.utf8.count
                    stack.append((member, depth + 1))
                }
            default: bytes += 8
            }
            guard bytes <= limit else { throw Self.sizeError(what(), bytes: nil, limit: limit) }
        }
    }

    static func sizeError(_ what: String, bytes: Int?, limit: Int) -> EvaluationError {
        let size = bytes.map { " (\($0) bytes)" } ?? ""
        return EvaluationError("Template \(what)\(size) exceeds the output size limit of \(limit) bytes (broker.template_max_output_bytes)")
    }
}
