import BrokkrCommon
import BrokkrQueue
import Foundation
import Testing

/// The shared contract models on the wire: what `ContractJSON` writes, what it reads back, and how
/// `RowDecoder` fills a model from a real PostgreSQL row.
@Suite struct ContractCodingTests {
    let id = UUID(uuidString: "123E4567-E89B-12D3-A456-426614174000")!

    @Test func absentOptionalsAreWrittenAsNullAndUUIDsInLowercase() throws {
        let stack = Stack(
            id: id, createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 1.5),
            name: "web \"prod\"\n", generatorID: id)
        let json = try JSONValue.parse(try ContractJSON.encodeString(stack))
        #expect(json["id"] == .string("123e4567-e89b-12d3-a456-426614174000"))
        #expect(json["generator_id"] == .string("123e4567-e89b-12d3-a456-426614174000"))
        #expect(json["deleted_at"] == .null)
        #expect(json["description"] == .null)
        #expect(json["name"] == .string("web \"prod\"\n"))
        #expect(json["created_at"] == .string("1970-01-01T00:00:00.000000Z"))
        #expect(json["updated_at"] == .string("1970-01-01T00:00:01.500000Z"))
        #expect(try ContractJSON.decode(Stack.self, from: try ContractJSON.encode(stack)) == stack)
    }

    @Test func nestedModelsArraysAndJSONValuesRoundTrip() throws {
        let object = DeploymentObject(
            id: id, createdAt: Date(timeIntervalSince1970: 1_700_000_000.123456), updatedAt: Date(),
            sequenceID: 7, stackID: id, yamlContent: "a: 1\n\tb: \u{01}", yamlChecksum: "x",
            submittedAt: Date(), isDeletionMarker: false)
        let list = [object, object]
        let decoded = try ContractJSON.decode([DeploymentObject].self, from: try ContractJSON.encode(list))
        #expect(decoded.map(\.yamlContent) == list.map(\.yamlContent))
        #expect(decoded[0].sequenceID == 7)
        #expect(abs(decoded[0].createdAt.timeIntervalSince(object.createdAt)) < 0.000_001)

        let response = DiagnosticResponse(
            request: DiagnosticRequest(
                id: id, agentID: id, deploymentObjectID: id, status: "pending",
                createdAt: Date(), expiresAt: Date()), result: nil)
        let json = try JSONValue.parse(try ContractJSON.encodeString(response))
        #expect(json["result"] == .null)
        #expect(json["request"]?["status"] == .string("pending"))

        let instantiation = TemplateInstantiationRequest(templateID: id, parameters: .object(["n": .int(3), "list": .array([.bool(true), .null])]))
        #expect(try ContractJSON.decode(TemplateInstantiationRequest.self, from: try ContractJSON.encode(instantiation)) == instantiation)
    }

    @Test func timestampsMatchFoundationForDatesAcrossTheRange() throws {
        for seconds in [-86_400.0 * 365 * 70, -1, 0, 951_782_400, 1_709_164_800.999999, 4_102_444_800, 253_402_300_799] {
            let date = Date(timeIntervalSince1970: seconds)
            let text = RFC3339.string(from: date)
            let parsed = try #require(RFC3339.date(from: text), "\(text)")
            #expect(abs(parsed.timeIntervalSince(date)) < 0.000_001, "\(text)")
            #expect(text.hasPrefix(date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)).dropLast()), "\(text)")
        }
    }

    @Test func labelRequestsTakeABareStringOrAnObject() throws {
        #expect(try ContractJSON.decode(LabelRequest.self, from: #""env""#).label == "env")
        #expect(try ContractJSON.decode(LabelRequest.self, from: #"{"label":"env"}"#).label == "env")
        #expect(throws: APIError.self) { try LabelRequest("has space").validate() }
        #expect(try ContractJSON.decode(NewAgentLabel.self, from: #""env""#) == NewAgentLabel(label: "env"))
        #expect(
            try ContractJSON.decode(NewAgentLabel.self, from: #"{"agent_id":"\#(id)","label":"env"}"#) == NewAgentLabel(agentID: id, label: "env"))
        #expect(throws: DecodingError.self) { try ContractJSON.decode(NewAgentLabel.self, from: #"{"agent_id":"nope","label":"env"}"#) }
    }

    @Test func decodingFailuresNameTheField() throws {
        func problem<T: Decodable>(_ type: T.Type, _ json: String) -> String? {
            do {
                _ = try ContractJSON.decode(type, from: json)
                return "decoded"
            } catch let error as DecodingError {
                return ContractJSON.describe(error)
            } catch { return "\(error)" }
        }
        #expect(problem(NewAgent.self, #"{"name":"a"}"#) == "missing required field cluster_name")
        #expect(problem(NewAgent.self, #"{"name":1,"cluster_name":"c"}"#) == "field name must be a string")
        #expect(
            problem(CreateWorkOrderRequest.self, #"{"work_type":"b","yaml_content":"x","targeting":{"agent_ids":["nope"]}}"#)?
                .hasPrefix("field targeting.agent_ids[0] is invalid") == true)
        #expect(problem(NewAgent.self, #"{"name":"#) == nil)
    }

    @Test func typesThatOmitAbsentFieldsLeaveThemOut() throws {
        let filters = try JSONValue.parse(try ContractJSON.encodeString(WebhookFilters(labels: ["env": "prod"])))
        #expect(filters == .object(["labels": .object(["env": .string("prod")])]))
        let subscription = WebhookResponse(
            id: id, name: "n", hasURL: true, hasAuthHeader: false, eventTypes: ["*"], enabled: true,
            maxRetries: 1, timeoutSeconds: 2, createdAt: Date(), updatedAt: Date())
        let json = try JSONValue.parse(try ContractJSON.encodeString(subscription))
        #expect(json["filters"] == nil, "filters is not nullable in the contract")
        #expect(json["created_by"] == .null && json["target_labels"] == .null)
    }

    @Test func webhookUpdatesTellLeftOutFromNull() throws {
        let update = try ContractJSON.decode(UpdateWebhookRequest.self, from: #"{"auth_header":null,"target_labels":["a"],"name":"n"}"#)
        #expect(update.authHeader == .clear)
        #expect(update.targetLabels == .set(["a"]))
        #expect(update.filters == .keep)
        #expect(update.name == "n" && update.url == nil)
        let again = try ContractJSON.decode(UpdateWebhookRequest.self, from: try ContractJSON.encode(update))
        #expect(again == update)
    }

    @Test func healthReportsSkipInvalidEntries() throws {
        let update = try ContractJSON.decode(
            HealthStatusUpdate.self,
            from: """
                {"deployment_objects":[{"id":"\(id)","status":"healthy","checked_at":"2024-01-01T00:00:00Z"},
                 {"id":"nope","status":"healthy","checked_at":"2024-01-01T00:00:00Z"},
                 {"id":"\(id)","status":"sideways","checked_at":"2024-01-01T00:00:00Z"}]}
                """)
        #expect(update.deploymentObjects.map(\.status) == ["healthy"])
    }

    @Test func rowsDecodeByColumnNameIncludingJSONAndNulls() async throws {
        try await TestDatabase.withMigratedDatabase { database, _ in
            let rows = try await database.query(
                """
                SELECT '123e4567-e89b-12d3-a456-426614174000'::uuid AS id, now() AS created_at, now() AS updated_at,
                       'n' AS name, true AS is_active, NULL::timestamptz AS deleted_at, NULL::text AS description,
                       NULL::timestamptz AS last_active_at, 'secret' AS pak_hash
                """)
            let generators = try await rows.models(Generator.self)
            #expect(generators.count == 1)
            #expect(generators[0].id == id && generators[0].isActive && generators[0].deletedAt == nil)

            let log = try await database.query(
                """
                SELECT '123e4567-e89b-12d3-a456-426614174000'::uuid AS id, 'p' AS actor_type, 'a' AS action, 'r' AS resource_type,
                       now() AS timestamp, now() AS created_at, '{"k":[1,"two",null]}'::jsonb AS details
                """)
            let entries = try await log.models(AuditLog.self)
            #expect(entries[0].details == .object(["k": .array([.int(1), .string("two"), .null])]))
            #expect(entries[0].actorID == nil)
        }
    }
}
