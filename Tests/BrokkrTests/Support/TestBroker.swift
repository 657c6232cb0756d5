import AsyncHTTPClient
import BrokkrAPI
import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import XCTest

enum TestBrokerError: Error { case serverDidNotStart }

/// A real broker for one test: its own schema, migrated and bootstrapped, serving HTTP on an
/// ephemeral loopback port. Requests go over real HTTP with AsyncHTTPClient.
struct TestBroker: Sendable {
    let baseURL: String
    let adminPAK: String
    let database: Database
    let settings: Settings
    let routeTable: RouteTable
    /// The running broker's reloadable settings (what `POST /admin/config/reload` changes).
    let config: ReloadableSettings

    struct HTTPResult: Sendable {
        let status: Int
        let body: String
        var headers = HTTPHeaders()
        var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
        subscript(key: String) -> JSONValue? { json[key] }
        var error: String? { json["error"]?.stringValue }
    }

    /// Starts a broker, runs `body`, shuts it down and drops its schema.
    static func run(extraConfig: [String: String] = [:], _ body: @Sendable (TestBroker) async throws -> Void) async throws {
        let schema = TestDatabase.uniqueSchema()
        let settings = try TestDatabase.settings(schema: schema, extra: extraConfig)
        try await Database.withDatabase(settings, poolSize: 10, logger: TestDatabase.logger) { database in
            let prepared = try await Bootstrap.prepare(database, settings: settings, logger: TestDatabase.logger)
            let services = BrokerServices(database: database, settings: settings, metrics: BrokerMetrics(), logger: TestDatabase.logger)
            let table = RouteTable()
            let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
            let app = BrokerApplication.makeApplication(services, host: "127.0.0.1", port: 0, routeTable: table) { port in
                portContinuation.yield(port)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // If the server stops (or never starts), the port stream ends instead of hanging the test.
                    defer { portContinuation.finish() }
                    try await app.run()
                }
                var iterator = portStream.makeAsyncIterator()
                guard let port = await iterator.next() else {
                    try await group.next()  // surfaces the server's start-up error
                    throw TestBrokerError.serverDidNotStart
                }
                let broker = TestBroker(
                    baseURL: "http://127.0.0.1:\(port)", adminPAK: prepared.adminPAK ?? "",
                    database: database, settings: settings, routeTable: table, config: services.config)
                do {
                    try await body(broker)
                } catch {
                    group.cancelAll()
                    throw error
                }
                group.cancelAll()
            }
        }
        try await TestDatabase.dropSchema(schema)
    }

    @discardableResult
    func request(
        _ method: HTTPMethod, _ path: String, pak: String?, json: String? = nil, rawBody: String? = nil,
        headers: [(String, String)] = []
    ) async throws -> HTTPResult {
        let url = path.hasPrefix("/") ? baseURL + path : baseURL + "/api/v1/" + path
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let pak { request.headers.add(name: "Authorization", value: "Bearer \(pak)") }
        for (k, v) in headers { request.headers.replaceOrAdd(name: k, value: v) }
        if let body = json ?? rawBody {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 32 << 20)
        return HTTPResult(status: Int(response.status.code), body: String(buffer: body), headers: response.headers)
    }

    func get(_ path: String, _ pak: String?) async throws -> HTTPResult { try await request(.GET, path, pak: pak) }
    func post(_ path: String, _ pak: String?, _ json: String = "{}") async throws -> HTTPResult {
        try await request(.POST, path, pak: pak, json: json)
    }
    func put(_ path: String, _ pak: String?, _ json: String) async throws -> HTTPResult { try await request(.PUT, path, pak: pak, json: json) }
    func delete(_ path: String, _ pak: String?) async throws -> HTTPResult { try await request(.DELETE, path, pak: pak) }

    /// Sends a contract request model and decodes the contract response model, expecting `status`.
    func send<Response: Decodable>(
        _ method: HTTPMethod, _ path: String, _ pak: String?, _ body: some Encodable,
        expect status: Int, as type: Response.Type
    ) async throws -> Response {
        let r = try await request(method, path, pak: pak, json: try ContractJSON.encodeString(body))
        XCTAssertEqual(r.status, status, r.body)
        return try ContractJSON.decode(type, from: r.body)
    }

    // MARK: Fixtures through the API, with the shared contract models

    struct Created: Sendable {
        let id: String
        let pak: String
    }

    /// A new agent (INACTIVE when created), activated by the admin unless `active` is false.
    func createAgent(
        _ name: String = "agent-\(UUID().uuidString.prefix(8))", cluster: String = "cluster-1",
        active: Bool = true
    ) async throws -> Created {
        let r = try await send(.POST, "agents", adminPAK, NewAgent(name: name, clusterName: cluster), expect: 201, as: CreateAgentResponse.self)
        XCTAssertEqual(r.agent.status, "INACTIVE")
        let created = Created(id: r.agent.id.lowercasedString, pak: r.initialPak)
        if active {
            let activated = try await send(.PUT, "agents/\(created.id)", adminPAK, UpdateAgentRequest(status: "ACTIVE"), expect: 200, as: Agent.self)
            XCTAssertEqual(activated.status, "ACTIVE")
        }
        return created
    }

    func createGenerator(_ name: String = "gen-\(UUID().uuidString.prefix(8))") async throws -> Created {
        let r = try await send(
            .POST, "generators", adminPAK, NewGenerator(name: name, description: "ci"), expect: 201, as: CreateGeneratorResponse.self)
        return Created(id: r.generator.id.lowercasedString, pak: r.pak)
    }

    func createStack(_ name: String = "stack-\(UUID().uuidString.prefix(8))", generatorID: String, pak: String? = nil) async throws -> String {
        let stack = try await send(
            .POST, "stacks", pak ?? adminPAK, NewStack(name: name, generatorID: UUID(uuidString: generatorID)),
            expect: 201, as: Stack.self)
        return stack.id.lowercasedString
    }

    func createObject(stackID: String, yaml: String, pak: String? = nil) async throws -> JSONValue {
        let r = try await post(
            "stacks/\(stackID)/deployment-objects", pak ?? adminPAK,
            JSONValue.object(["yaml_content": .string(yaml)]).serialized())
        XCTAssertEqual(r.status, 201, r.body)
        return r.json
    }

    /// A deployment object written straight to the database, past the API's checks (which refuse
    /// unparseable YAML), as a database from before those checks could hold it.
    func insertUncheckedObject(stackID: String, yaml: String) async throws {
        try await database.query("INSERT INTO deployment_objects (stack_id, yaml_content) VALUES (\(UUID(uuidString: stackID)), \(yaml))")
    }

    /// Runs the audit batcher once so outbox entries are visible in `audit_logs`.
    func flushAudit() async throws {
        while try await AuditOutbox.moveBatch(database, limit: 500) > 0 {}
    }
}
