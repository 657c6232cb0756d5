import AsyncHTTPClient
import BrokkrCommon
import BrokkrQueue
import Foundation
import NIOCore
import NIOHTTP1

/// Sends one webhook delivery: POST of the stored payload with the subscription's timeout and the
/// `X-Brokkr-*` headers (event type, delivery id, event id, timestamp, and the HMAC signatures of
/// `WebhookSignature`), `Authorization` when configured.
public struct WebhookSender: Sendable {
    public enum Outcome: Sendable, Equatable {
        case delivered
        /// `permanent`: retrying cannot help (the URL cannot even be decrypted).
        case failed(error: String, permanent: Bool)
    }

    let client: HTTPClient
    let cipher: WebhookCipher

    public init(client: HTTPClient, cipher: WebhookCipher) {
        self.client = client
        self.cipher = cipher
    }

    /// A client for deliveries: up to `connectionsPerHost` parallel connections to one receiver,
    /// redirects not followed (a 3xx is a failed delivery, not a POST re-sent elsewhere). The client
    /// makes no spans of its own: each delivery has its client span (`WebhookDeliverySweep.send`, which
    /// sends its `traceparent`), and the client is made before the process's tracer is bootstrapped, so
    /// it would only ever have had the no-op tracer, costing every request its span attributes.
    public static func makeClient(connectionsPerHost: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(connectionsPerHost, 1))
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The destinations of `jobs` by subscription, each decrypted once.
    public func destinations(
        of jobs: [WebhookDeliveryJob]
    ) -> [UUID: WebhookDeliveryJob.DestinationResult] {
        var destinations: [UUID: WebhookDeliveryJob.DestinationResult] = [:]
        for job in jobs where destinations[job.subscriptionID] == nil {
            destinations[job.subscriptionID] = Result { () throws(WebhookDeliveryJob.DecryptionFailure) in try job.destination(cipher) }
        }
        return destinations
    }

    /// Sends `job` to its subscription's `destination` (from `destinations(of:)`).
    public func send(
        _ job: WebhookDeliveryJob, to destination: WebhookDeliveryJob.DestinationResult
    ) async -> Outcome {
        let target: WebhookDeliveryJob.Target
        switch destination {
        case .success(let destination): target = job.target(destination)
        case .failure(let error): return .failed(error: error.description, permanent: true)
        }
        var request = HTTPClientRequest(url: target.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Brokkr-Event-Type", value: job.eventType)
        request.headers.add(name: "X-Brokkr-Delivery-Id", value: job.id.lowercasedString)
        request.headers.add(name: "X-Brokkr-Event-Id", value: job.eventID.lowercasedString)
        let timestamp = Int(Date().timeIntervalSince1970)
        if let signature = target.signature(at: timestamp) {
            for field in signature.fields { request.headers.add(name: field.name, value: field.value) }
        } else {
            request.headers.add(name: WebhookSignature.timestampHeaderName, value: String(timestamp))
        }
        if let auth = target.authHeader { request.headers.add(name: "Authorization", value: auth) }
        // The delivery span's W3C context, for receivers that trace (nothing without telemetry).
        if let traceparent = TraceContext.currentTraceparent { request.headers.add(name: "traceparent", value: traceparent) }
        request.body = .bytes(ByteBuffer(string: job.payload))
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(max(job.timeoutSeconds, 1))))
            let excerpt = try await Self.excerpt(of: response.body, limit: 200)
            if (200..<300).contains(response.status.code) { return .delivered }
            let status = "HTTP \(response.status.code) \(response.status.reasonPhrase)"
            return .failed(error: excerpt.isEmpty ? status : "\(status): \(excerpt)", permanent: false)
        } catch {
            return .failed(error: "Request failed: \(error)", permanent: false)
        }
    }

    /// Reads the whole body (so the connection can be reused) and keeps its first `limit` characters.
    static func excerpt(of body: HTTPClientResponse.Body, limit: Int) async throws -> String {
        var kept = ByteBuffer()
        for try await var chunk in body where kept.readableBytes < limit * 4 {
            kept.writeBuffer(&chunk)
        }
        return String(String(buffer: kept).prefix(limit))
    }
}
