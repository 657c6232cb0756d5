import Testing

@testable import BrokkrCommon
@testable import BrokkrJSONSchema
@testable import BrokkrTemplating

@Suite struct SchemaBoundsTests {
    private func validate(_ schema: String, _ instance: JSONValue, maxSteps: Int = JSONSchemaValidator.defaultMaxEvaluationSteps)
        -> (violations: [SchemaViolation], isValid: Bool, seconds: Double)
    {
        let ((violations, isValid), seconds) = onSmallStack {
            let validator = try! JSONSchemaValidator(schema: try! JSONValue.parse(schema), maxEvaluationSteps: maxSteps)
            return (validator.validate(instance), validator.isValid(instance))
        }
        return (violations, isValid, seconds)
    }

    @Test func dynamicRefCycleAnswers() {
        let result = validate(##"{"$dynamicAnchor":"x","$ref":"#","$dynamicRef":"#x"}"##, .int(1))
        #expect(!result.isValid)
        #expect(result.violations.count == 1)
        #expect(result.violations.first?.message.contains("cycle") == true)
        #expect(result.seconds < answersWithinSeconds)
    }

    @Test(arguments: [
        ##"{"$ref": "#"}"##,
        ##"{"not": {"$ref": "#"}}"##,
        ##"{"anyOf": [{"$ref": "#/$defs/a"}], "$defs": {"a": {"allOf": [{"$ref": "#"}]}}}"##,
        ##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##,
    ])
    func referenceCyclesWithoutInputAreInvalid(_ schema: String) {
        let result = validate(schema, .object(["a": .int(1)]))
        #expect(!result.isValid)
        #expect(result.violations.map(\.message).joined().contains("cycle"))
    }

    @Test func recursionThatDescendsIsNotACycle() {
        let schema = ##"{"type": "object", "properties": {"child": {"$ref": "#"}}, "required": ["name"]}"##
        var instance: JSONValue = .object(["name": .string("leaf")])
        for _ in 0..<20 { instance = .object(["name": .string("n"), "child": instance]) }
        #expect(validate(schema, instance).isValid)
        #expect(validate(##"{"contains": {"$ref": "#"}}"##, .array([.array([.int(1)])])).isValid)
    }

    @Test func exponentialSchemasRunOutOfBudget() {
        // Each level applies the next one twice at the same place: 2^40 evaluations without a cycle.
        var defs: [String] = []
        for level in 0..<40 {
            defs.append(##""d\##(level)": {"allOf": [{"$ref": "#/$defs/d\##(level + 1)"}, {"$ref": "#/$defs/d\##(level + 1)"}]}"##)
        }
        defs.append(#""d40": {"type": "integer"}"#)
        let schema = ##"{"$ref": "#/$defs/d0", "$defs": {"## + defs.joined(separator: ",") + "}}"
        let result = validate(schema, .int(1))
        #expect(!result.isValid)
        #expect(result.violations.first?.message.contains("budget") == true)
        #expect(result.seconds < answersWithinSeconds)
    }

    @Test func budgetIsConfigurable() {
        let schema = #"{"items": {"type": "integer"}}"#
        let items = JSONValue.array(Array(repeating: .int(1), count: 100))
        #expect(validate(schema, items).isValid)
        #expect(!validate(schema, items, maxSteps: 10).isValid)
    }
}
