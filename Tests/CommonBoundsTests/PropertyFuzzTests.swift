import Foundation
import Testing

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

/// Random nesting and sizes against each entry point: every call must return (a value or its typed
/// error) within a bound, and never crash, on a thread with a small stack.
@Suite struct PropertyFuzzTests {
    static let cases = 120

    // MARK: - Templates

    private static func expression(_ depth: Int, _ rng: inout SeededGenerator) -> String {
        guard depth > 0 else { return ["1", "x", "\"s\"", "true", "items"].randomElement(using: &rng)! }
        let inner = expression(depth - 1, &rng)
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: return "(" + inner + ")"
        case 1: return inner + " + 1"
        case 2: return "not " + inner
        case 3: return inner + " | default(value=" + expression(depth / 2, &rng) + ")"
        case 4: return "[" + inner + "] | length"
        case 5: return inner + " ~ \"a\""
        default: return inner + " and true"
        }
    }

    private static func template(_ depth: Int, _ rng: inout SeededGenerator) -> String {
        guard depth > 0 else { return "{{ " + expression(Int.random(in: 0..<80, using: &rng), &rng) + " }}" }
        let body = template(depth - 1, &rng)
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return "{% if " + expression(2, &rng) + " %}" + body + "{% else %}x{% endif %}"
        case 1: return "{% for i in range(end=" + String(Int.random(in: 0...200_000, using: &rng)) + ") %}" + body + "{% endfor %}"
        case 2: return "{% filter upper %}" + body + "{% endfilter %}"
        case 3: return "{% set_global s = s ~ s %}" + body
        default: return body + body.prefix(200)
        }
    }

    @Test func templatesAlwaysAnswer() {
        for seed in 0..<UInt64(Self.cases) {
            var rng = SeededGenerator(seed: seed)
            let source = "{% set_global s = \"ab\" %}" + Self.template(Int.random(in: 0...130, using: &rng), &rng)
            let context: JSONValue = .object(["x": .int(2), "items": .array([.int(1), .int(2)])])
            let (result, seconds) = onSmallStack { () -> Outcome in
                do {
                    _ = try TeraTemplate(source: source).render(context)
                    return .success
                } catch let error as TemplateSyntaxError {
                    return .failure("\(error)")
                } catch let error as TemplateRenderError {
                    return .failure("\(error)")
                } catch {
                    return .failure("untyped: \(error)")
                }
            }
            #expect(result.message?.hasPrefix("untyped") != true, "seed \(seed): \(result)")
            #expect(seconds < answersWithinSeconds, "seed \(seed)")
        }
    }

    // MARK: - YAML

    private static func yaml(_ depth: Int, _ rng: inout SeededGenerator) -> String {
        guard depth > 0 else { return ["1", "a", "\"q\"", "null", "*a0"].randomElement(using: &rng)! }
        let inner = yaml(depth - 1, &rng)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return "[" + inner + "]"
        case 1: return "{k: " + inner + "}"
        default: return "[" + inner + ", " + inner.prefix(50) + "]"
        }
    }

    @Test func yamlAlwaysAnswers() {
        for seed in 0..<UInt64(Self.cases) {
            var rng = SeededGenerator(seed: seed)
            var lines = ["a0: &a0 [x, y]"]
            let levels = Int.random(in: 0...12, using: &rng)
            let fanout = Int.random(in: 1...12, using: &rng)
            if levels > 0 {
                for level in 1...levels {
                    lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: fanout).joined(separator: ", ") + "]")
                }
            }
            lines.append("deep: " + Self.yaml(Int.random(in: 0...300, using: &rng), &rng))
            let text = lines.joined(separator: "\n") + "\n"
            let (result, seconds) = onSmallStack { () -> Outcome in
                do {
                    _ = try YAMLDocuments.parse(text)
                    return .success
                } catch let error as YAMLDocuments.ParseError {
                    return .failure(error.message)
                } catch {
                    return .failure("untyped: \(error)")
                }
            }
            #expect(result.message?.hasPrefix("untyped") != true, "seed \(seed): \(result)")
            #expect(seconds < answersWithinSeconds, "seed \(seed)")
        }
    }

    // MARK: - JSON Schema

    private static func schema(_ depth: Int, defs: Int, _ rng: inout SeededGenerator) -> String {
        guard depth > 0 else {
            let target = Int.random(in: 0..<defs, using: &rng)
            return [
                ##"{"type": "integer"}"##, ##"{"$ref": "#"}"##, ##"{"$ref": "#/$defs/d"## + String(target) + "\"}",
                ##"{"pattern": "(x+x+)+y"}"##, "true", ##"{"$dynamicRef": "#x"}"##,
            ].randomElement(using: &rng)!
        }
        let a = schema(depth - 1, defs: defs, &rng)
        let b = schema(depth / 2, defs: defs, &rng)
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return #"{"allOf": ["# + a + "," + b + "]}"
        case 1: return #"{"anyOf": ["# + a + "," + b + "]}"
        case 2: return #"{"not": "# + a + "}"
        case 3: return #"{"items": "# + a + "}"
        case 4: return ##"{"properties": {"k": "## + a + ##"}, "additionalProperties": "## + b + "}"
        default: return #"{"if": "# + a + #", "then": "# + b + "}"
        }
    }

    private static func instance(_ depth: Int, _ rng: inout SeededGenerator) -> JSONValue {
        guard depth > 0 else { return [.int(1), .string(String(repeating: "x", count: 40)), .null].randomElement(using: &rng)! }
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return .array(Array(repeating: instance(depth - 1, &rng), count: Int.random(in: 1...4, using: &rng)))
        case 1: return .object(["k": instance(depth - 1, &rng), "z": .int(0)])
        default: return instance(depth - 1, &rng)
        }
    }

    @Test func schemasAlwaysAnswer() {
        for seed in 0..<UInt64(Self.cases) {
            var rng = SeededGenerator(seed: seed)
            let defs = Int.random(in: 1...6, using: &rng)
            let definitions = (0..<defs).map { "\"d\($0)\": " + Self.schema(Int.random(in: 0...6, using: &rng), defs: defs, &rng) }
            let root = Self.schema(Int.random(in: 0...12, using: &rng), defs: defs, &rng)
            let text = #"{"$dynamicAnchor": "x", "allOf": ["# + root + #"], "$defs": {"# + definitions.joined(separator: ",") + "}}"
            let data = Self.instance(Int.random(in: 0...8, using: &rng), &rng)
            let (result, seconds) = onSmallStack { () -> Outcome in
                do {
                    let validator = try JSONSchemaValidator(schema: try JSONValue.parse(text))
                    _ = validator.validate(data)
                    _ = validator.isValid(data)
                    return .success
                } catch let error as SchemaCompilationError {
                    return .failure(error.message)
                } catch {
                    return .failure("untyped: \(error)")
                }
            }
            #expect(result.message?.hasPrefix("untyped") != true, "seed \(seed): \(result)")
            #expect(seconds < answersWithinSeconds, "seed \(seed)")
        }
    }
}
