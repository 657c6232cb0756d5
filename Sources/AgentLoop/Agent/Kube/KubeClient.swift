import AsyncHTTPClient
import BrokkrCommon
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The Kubernetes REST calls the agent makes: discovery, server-side apply, list by label, delete.
public actor KubeClient {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let status: Int
        public let reason: String
        public let message: String
        /// `details.causes` of a Status: the field each cause is about and its message.
        public var causes: [(field: String, message: String)] = []
        public var description: String { "Kubernetes API \(status) \(reason): \(message)" }
    }

    let server: String
    let credentials: KubeCredentials
    let http: HTTPClient
    /// Where objects that name no namespace go: the kubeconfig context's namespace.
    let defaultNamespace: String
    let metrics: AgentMetrics?
    /// Back-off for retryable answers (429, 500, 503, 504) and transport errors: 1 s doubling to 60 s,
    /// giving up after `retryBudget` (5 minutes by default).
    let retryBudget: Duration
    private var resources: [String: KubeResource] = [:]  // "apiVersion/Kind" → resource

    public init(
        server: String, credentials: KubeCredentials = KubeCredentials(.none), http: HTTPClient = .shared,
        metrics: AgentMetrics? = nil, retryBudget: Duration = .seconds(300), defaultNamespace: String = "default"
    ) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.credentials = credentials
        self.defaultNamespace = defaultNamespace
        self.http = http
        self.metrics = metrics
        self.retryBudget = retryBudget
    }

    static let retryableStatuses: Set<Int> = [429, 500, 503, 504]

    /// Whether waiting can help: a retryable status, or a transport error (refused or dropped
    /// connections, timeouts). Anything else — a refused TLS handshake, a credential that cannot be
    /// obtained, an oversized answer — fails at once.
    static func isRetryable(_ error: any Error) -> Bool {
        switch error {
        case let failure as Failure: return retryableStatuses.contains(failure.status)
        case is NIOConnectionError, is IOError, is ChannelError: return true
        case let error as HTTPClientError:
            return [
                .connectTimeout, .readTimeout, .writeTimeout, .deadlineExceeded, .remoteConnectionClosed,
                .getConnectionFromPoolTimeout,
            ].contains(error)
        default: return false
        }
    }

    // MARK: Discovery

    /// Every served resource type (re-read on demand, e.g. after CRDs were applied).
    @discardableResult
    public func refreshDiscovery() async throws -> [KubeResource] {
        var found: [String: KubeResource] = [:]
        var groupVersions = [("", "v1")]
        let groups = try await getJSON("/apis")
        for group in groups["groups"]?.arrayValue ?? [] {
            guard let name = group["name"]?.stringValue else { continue }
            for version in group["versions"]?.arrayValue ?? [] {
                if let v = version["version"]?.stringValue { groupVersions.append((name, v)) }
            }
        }
        // The group versions are read at once: on a real API server each is a round trip.
        let lists = await groupVersions.concurrentMap(limit: 16) { group, version -> (String, String, JSONValue?) in
            (group, version, try? await self.getJSON(group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"))
        }
        for case (let group, let version, let list?) in lists {
            for r in list["resources"]?.arrayValue ?? [] {
                guard let plural = r["name"]?.stringValue, !plural.contains("/"), let kind = r["kind"]?.stringValue else { continue }
                let resource = KubeResource(
                    group: group, version: version, kind: kind, plural: plural,
                    namespaced: r["namespaced"]?.boolValue ?? false,
                    verbs: Set(r["verbs"]?.arrayValue?.compactMap(\.stringValue) ?? []))
                found["\(resource.apiVersion)/\(kind)"] = resource
            }
        }
        resources = found
        return Array(found.values)
    }

    /// The resource for an object's apiVersion and kind; discovery is refreshed once on a miss.
    public func resource(apiVersion: String, kind: String) async throws -> KubeResource {
        if let r = resources["\(apiVersion)/\(kind)"] { return r }
        try await refreshDiscovery()
        guard let r = resources["\(apiVersion)/\(kind)"] else {
            throw Failure(status: 404, reason: "NotFound", message: "the server does not serve \(kind) in \(apiVersion)")
        }
        return r
    }

    public func allResources() async throws -> [KubeResource] {
        if resources.isEmpty { try await refreshDiscovery() }
        return Array(resources.values)
    }

    // MARK: Objects

    /// Server-side apply as `fieldManager`, taking ownership of conflicting fields when `force`.
    @discardableResult
    public func apply(_ object: JSONValue, fieldManager: String, force: Bool, dryRun: Bool = false) async throws -> JSONValue {
        let (resource, namespace, name) = try await locate(object)
        var query = "fieldManager=\(fieldManager)"
        if force { query += "&force=true" }
        if dryRun { query += "&dryRun=All" }
        return try await send(
            .PATCH, "\(resource.path(namespace: namespace))/\(name)?\(query)", body: object.serialized(),
            contentType: "application/apply-patch+yaml", operation: "apply")
    }

    /// The object if it exists.
    public func get(_ object: JSONValue) async throws -> JSONValue? {
        let (resource, namespace, name) = try await locate(object)
        do {
            return try await send(.GET, "\(resource.path(namespace: namespace))/\(name)", body: nil, contentType: nil, operation: "get")
        } catch let failure as Failure where failure.status == 404 {
            return nil
        }
    }

    /// Objects of a type matching a label selector, in one namespace or (nil) across all of them.
    public func list(_ resource: KubeResource, namespace: String? = nil, labelSelector: String) async throws -> [JSONValue] {
        let selector =
            labelSelector.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "=&+,()!")))
            ?? labelSelector
        return try await send(
            .GET, "\(resource.path(namespace: namespace))?labelSelector=\(selector)", body: nil, contentType: nil,
            operation: "list")["items"]?.arrayValue ?? []
    }

    /// Deletes with the given propagation (Background: dependents go afterwards; Foreground: the object
    /// goes after its dependents); a missing object is not an error.
    public func delete(_ resource: KubeResource, namespace: String?, name: String, propagationPolicy: String = "Background") async throws {
        do {
            _ = try await send(
                .DELETE, "\(resource.path(namespace: namespace))/\(name)?propagationPolicy=\(propagationPolicy)", body: nil, contentType: nil,
                operation: "delete")
        } catch let failure as Failure where failure.status == 404 {
            return
        }
    }

    func locate(_ object: JSONValue) async throws -> (KubeResource, String?, String) {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue,
            let name = object["metadata"]?["name"]?.stringValue
        else {
            throw Failure(status: 400, reason: "BadRequest", message: "object needs apiVersion, kind and metadata.name")
        }
        let resource = try await resource(apiVersion: apiVersion, kind: kind)
        let namespace = resource.namespaced ? (object["metadata"]?["namespace"]?.stringValue ?? defaultNamespace) : nil
        return (resource, namespace, name)
    }

    /// One `GET /version`, without retries: whether the API server answers right now (readiness).
    public func probe() async throws {
        _ = try await sendOnce(.GET, "/version", body: nil, contentType: nil, timeout: .seconds(3))
    }

    /// A GET of any API path as JSON (events with field selectors and the like).
    public func json(_ path: String) async throws -> JSONValue { try await getJSON(path) }

    /// A GET of a plain-text API path (pod logs).
    public func text(_ path: String) async throws -> String {
        let (response, bytes) = try await execute(.GET, path, body: nil, contentType: nil, accept: nil, timeout: .seconds(30), limit: 16 << 20)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw Failure(status: Int(response.status.code), reason: "\(response.status.code)", message: String(buffer: bytes))
        }
        return String(buffer: bytes)
    }

    func getJSON(_ path: String) async throws -> JSONValue {
        try await send(.GET, path, body: nil, contentType: nil)
    }

    /// Sends with retries; `operation` (apply, delete, get, list) labels the metrics, nil for discovery.
    func send(_ method: HTTPMethod, _ path: String, body: String?, contentType: String?, operation: String? = nil) async throws -> JSONValue {
        func record(_ started: ContinuousClock.Instant) {
            if let operation { metrics?.recordKubernetesOperation(operation, seconds: (ContinuousClock.now - started).seconds) }
        }
        let deadline = ContinuousClock.now + retryBudget
        var delay = Duration.seconds(1)
        while true {
            let started = ContinuousClock.now
            do {
                let result = try await sendOnce(method, path, body: body, contentType: contentType)
                record(started)
                return result
            } catch  where !Self.isRetryable(error) {
                record(started)
                throw error
            } catch {
                record(started)
                guard ContinuousClock.now + delay < deadline else { throw error }
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(60))
            }
        }
    }

    func sendOnce(_ method: HTTPMethod, _ path: String, body: String?, contentType: String?, timeout: TimeAmount = .seconds(30)) async throws
        -> JSONValue
    {
        let (response, bytes) = try await execute(
            method, path, body: body, contentType: contentType, accept: "application/json",
            timeout: timeout, limit: 64 << 20)
        let json = (try? JSONValue.parse(Array(bytes.readableBytesView))) ?? .null
        guard (200..<300).contains(Int(response.status.code)) else {
            let causes = (json["details"]?["causes"]?.arrayValue ?? []).map {
                (field: $0["field"]?.stringValue ?? "", message: $0["message"]?.stringValue ?? "")
            }
            throw Failure(
                status: Int(response.status.code), reason: json["reason"]?.stringValue ?? "\(response.status.code)",
                message: json["message"]?.stringValue ?? String(buffer: bytes), causes: causes)
        }
        return json
    }

    /// One authenticated request. A 401 with a token that can be obtained again (token file, exec
    /// plugin) is retried once with a fresh token, as client-go does.
    func execute(
        _ method: HTTPMethod, _ path: String, body: String?, contentType: String?, accept: String?, timeout: TimeAmount,
        limit: Int
    ) async throws -> (HTTPClientResponse, ByteBuffer) {
        var retriedUnauthorized = false
        while true {
            var request = HTTPClientRequest(url: server + path)
            request.method = method
            if let accept { request.headers.add(name: "Accept", value: accept) }
            let authorization = try await credentials.authorization()
            if let authorization { request.headers.add(name: "Authorization", value: authorization) }
            if let body, let contentType {
                request.headers.add(name: "Content-Type", value: contentType)
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await http.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: limit)
            if response.status == .unauthorized, !retriedUnauthorized, await credentials.invalidate(authorization) {
                retriedUnauthorized = true
                continue
            }
            return (response, bytes)
        }
    }
}
