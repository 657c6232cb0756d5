import AsyncHTTPClient
import BrokkrCommon
import Foundation
import Hummingbird
import KubeEmulator
import NIOCore
import XCTest

@testable import BrokkrAgent

/// The agent's own endpoints, metrics and Kubernetes retry policy, against the emulator over HTTP.
final class AgentOperationsTests: XCTestCase {
    func testRetryableKubernetesErrorsAreRetriedAndCounted() async throws {
        let emulator = try await KubeEmulator.start(host: "127.0.0.1", port: 0)
        let metrics = AgentMetrics()
        let kube = KubeClient(server: emulator.baseURL, metrics: metrics, retryBudget: .seconds(10))
        let configMap = try JSONValue.parse(
            #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"retry","namespace":"default"},"data":{"a":"b"}}"#)
        // Two 503s, then success: the apply goes through.
        emulator.cluster.injectFault(KubeFault(method: "PATCH", pathContains: "/configmaps/retry", code: 503, reason: "ServiceUnavailable", times: 2))
        try await kube.apply(configMap, fieldManager: "test", force: true)
        XCTAssertNotNil(emulator.cluster.get(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "retry"))
        XCTAssertTrue(metrics.exposition().contains(#"brokkr_agent_kubernetes_operations_total{operation="apply"} 3"#), metrics.exposition())
        // A 422 is permanent: no retry.
        emulator.cluster.injectFault(KubeFault(method: "PATCH", pathContains: "/configmaps/retry", code: 422, reason: "Invalid", times: 5))
        do {
            try await kube.apply(configMap, fieldManager: "test", force: true)
            XCTFail("a 422 must fail")
        } catch let failure as KubeClient.Failure {
            XCTAssertEqual(failure.status, 422)
        }
        XCTAssertTrue(metrics.exposition().contains(#"brokkr_agent_kubernetes_operations_total{operation="apply"} 4"#), metrics.exposition())
        await emulator.shutdown()
    }

    func testProbeFailsFastWhenTheAPIServerIsDown() async throws {
        let started = ContinuousClock.now
        do {
            try await KubeClient(server: "http://127.0.0.1:1").probe()
            XCTFail("nothing listens on port 1")
        } catch {}
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5), "readiness does not retry")
    }

    func testHealthEndpoints() async throws {
        let emulator = try await KubeEmulator.start(host: "127.0.0.1", port: 0)
        let metrics = AgentMetrics()
        let identity = AgentIdentity()
        let router = AgentHTTP.router(kube: KubeClient(server: emulator.baseURL), identity: identity, metrics: metrics)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            func get(_ path: String) async throws -> (Int, String) {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
                return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
            }
            do {
                let v = try await get("/healthz")
                XCTAssertEqual(v.1, "OK")
            }
            do {
                let v = try await get("/readyz")
                XCTAssertEqual(v.0, 200)
                XCTAssertEqual(v.1, "Ready")
            }
            identity.heartbeatSucceeded()
            metrics.recordPoll(success: true, seconds: 0.02)
            let (status, body) = try await get("/health")
            XCTAssertEqual(status, 200)
            let health = try JSONValue.parse(body)
            XCTAssertEqual(health["status"], .string("healthy"))
            XCTAssertNotEqual(health["broker"]?["last_heartbeat"], .null)
            identity.heartbeatFailed()
            do {
                let v = try await get("/health")
                XCTAssertEqual(v.0, 503)
            }
            let exposition = try await get("/metrics").1
            XCTAssertTrue(exposition.contains(#"brokkr_agent_poll_requests_total{status="success"} 1"#), exposition)
            XCTAssertTrue(exposition.contains("brokkr_agent_poll_duration_seconds_bucket"), exposition)
            XCTAssertTrue(exposition.contains("brokkr_agent_last_successful_poll_timestamp"), exposition)
            await emulator.shutdown()
            group.cancelAll()
        }
    }
}
