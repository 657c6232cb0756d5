import BrokkrCommon
import Foundation

/// The identity of a stored object within its resource: namespace ("" when cluster-scoped) and name.
public struct KubeObjectKey: Hashable, Sendable, Comparable {
    public var namespace: String
    public var name: String
    public init(namespace: String?, name: String) {
        self.namespace = namespace ?? ""
        self.name = name
    }
    public static func < (a: KubeObjectKey, b: KubeObjectKey) -> Bool {
        a.namespace != b.namespace ? a.namespace < b.namespace : a.name < b.name
    }
}

/// A request as the emulator sees it, independent of the HTTP server.
public struct KubeRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        var h: [String: String] = [:]
        for (k, v) in headers { h[k.lowercased()] = v }
        self.headers = h
        self.body = body
    }

    /// Builds a request from a path that may carry a query string (`/api/v1/pods?labelSelector=a%3Db`).
    public init(method: String, url: String, headers: [String: String] = [:], body: [UInt8] = []) {
        var path = url
        var query: [String: String] = [:]
        if let q = url.firstIndex(of: "?") {
            path = String(url[..<q])
            query = KubeRequest.parseQuery(String(url[url.index(after: q)...]))
        }
        self.init(method: method, path: path, query: query, headers: headers, body: body)
    }

    public static func parseQuery(_ q: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in q.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            let k = decode(parts[0])
            out[k] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return out
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
    var contentType: String {
        (headers["content-type"] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }
}

/// An answer to a `KubeRequest`.
public struct KubeResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String = "application/json", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    static func json(_ status: Int, _ value: JSONValue) -> KubeResponse {
        KubeResponse(status: status, body: Array(value.kubeSerialized().utf8))
    }

    static func error(_ e: KubeAPIError) -> KubeResponse { json(e.code, e.status) }

    static func text(_ status: Int, _ s: String) -> KubeResponse {
        KubeResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(s.utf8))
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
    public var json: JSONValue? { try? JSONValue.parse(body) }
}

/// One request the emulator answered, for tests that assert which calls a client made.
public struct KubeRecordedRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var contentType: String
    /// The Accept header the client sent.
    public var accept: String
    public var userAgent: String
    public var body: String
    public var status: Int

    public var asJSON: JSONValue {
        var q: [String: JSONValue] = [:]
        for (k, v) in query { q[k] = .string(v) }
        return [
            "method": .string(method), "path": .string(path), "query": .object(q), "contentType": .string(contentType),
            "accept": .string(accept), "userAgent": .string(userAgent), "body": .string(body), "status": .int(Int64(status)),
        ]
    }
}

/// An injected failure: matching requests are answered with a Status error instead of being served.
public struct KubeFault: Sendable {
    /// HTTP method to match (nil: any).
    public var method: String?
    /// Substring the request path must contain.
    public var pathContains: String
    public var code: Int
    public var reason: String
    public var message: String
    /// How many requests to fail (nil: every one until cleared).
    public var times: Int?

    public init(
        method: String? = nil, pathContains: String, code: Int = 500, reason: String = "InternalError",
        message: String = "injected failure", times: Int? = nil
    ) {
        self.method = method?.uppercased()
        self.pathContains = pathContains
        self.code = code
        self.reason = reason
        self.message = message
        self.times = times
    }
}

/// A change, as a watch reports it.
struct WatchEvent {
    var resourceVersion: Int64
    var type: String
    var storageKey: String
    var object: JSONValue
}
