import BrokkrCommon
import BrokkrJSONSchema

// Global functions callable in templates: `range(...)` and `throw(...)` from Tera's defaults.
// `now`, `get_random` and `get_env` are left out: rendering must be deterministic and must not
// expose the server's environment.

typealias TemplateFunction = @Sendable ([String: JSONValue], TemplateLimits) throws -> JSONValue

enum BuiltinFunctions {
    static let all: [String: TemplateFunction] = [
        "range": range,
        "throw": { args, _ in
            guard let message = args["message"] else {
                throw EvaluationError("Function `throw` was called without a `message` argument")
            }
            guard case .string(let text) = message else {
                throw EvaluationError("Function `throw` received message=\(message.jsonText()) but `message` can only be a string")
            }
            throw EvaluationError(text)
        },
    ]

    private static let unsupported: [String: String] = [
        "now": "function `now` is not supported: rendering must be deterministic",
        "get_random": "function `get_random` is not supported: rendering must be deterministic",
        "get_env": "function `get_env` is not supported: templates cannot read the server's environment",
        "super": "`super()` is not supported: one-off templates have no template inheritance",
    ]

    static func validateName(_ name: String, at location: SourceLocation) throws {
        guard all[name] == nil else { return }
        throw TemplateSyntaxError(unsupported[name] ?? "unknown function `\(name)`", at: location)
    }

    /// `range(end=5)` is `[0, 1, 2, 3, 4]`; `start` (default 0) and `step_by` (default 1) are optional.
    private static let range: TemplateFunction = { args, limits in
        func unsigned(_ name: String, _ label: String) throws -> Int? {
            guard let value = args[name] else { return nil }
            guard case .int(let i) = value, i >= 0 else {
                throw EvaluationError("Function `range` received \(name)=\(value.jsonText()) but `\(label)` can only be a number")
            }
            return Int(i)
        }
        let start = try unsigned("start", "start") ?? 0
        let step = try unsigned("step_by", "step") ?? 1
        guard let end = try unsigned("end", "end") else {
            throw EvaluationError("Function `range` was called without a `end` argument")
        }
        guard start <= end else {
            throw EvaluationError("Function `range` was called with a `start` argument greater than the `end` one")
        }
        // Tera would loop forever on `step_by=0`.
        guard step > 0 else { throw EvaluationError("Function `range` was called with `step_by=0`") }
        // Checked before building: the array is only useful to iterate, and the loop could not
        // iterate over more than the iteration limit anyway.
        let count = (end - start) / step + ((end - start) % step == 0 ? 0 : 1)
        guard count <= limits.maxIterations else {
            throw EvaluationError(
                "Function `range` would produce \(count) numbers, more than the loop iteration limit of \(limits.maxIterations) (broker.template_max_iterations)"
            )
        }
        return .array(stride(from: start, to: end, by: step).map { .int(Int64($0)) })
    }
}
