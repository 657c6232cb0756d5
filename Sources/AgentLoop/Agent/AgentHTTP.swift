import BrokkrCommon
import BrokkrRuntime
import Foundation
import Hummingbird

/// The agent's own HTTP endpoints: `/healthz` (always OK), `/readyz` (the Kubernetes API answers),
/// `/health` (JSON: Kubernetes and broker connectivity, last heartbeat, uptime) and `/metrics`.
public enum AgentHTTP {
    public static func router(kube: KubeClient, identity: AgentIdentity, metrics: AgentMetrics) -> Router<BasicRequestContext> {
        let router = Router()
        ProbeRoutes.register(
            on: router,
            notReadyReason: {
                do {
                    try await kube.probe()
                    return nil
                } catch {
                    return "Kubernetes API unavailable"
                }
            }, metrics: { metrics.exposition() })
        router.get("health") { _, _ -> Response in
            var kubernetes: [String: JSONValue] = ["connected": .bool(true)]
            do { try await kube.probe() } catch {
                kubernetes = ["connected": .bool(false), "error": .string("\(error)")]
            }
            let broker = identity.broker
            let healthy = kubernetes["connected"] == .bool(true) && broker.connected
            let body = JSONValue.object([
                "status": .string(healthy ? "healthy" : "unhealthy"),
                "kubernetes": .object(kubernetes),
                "broker": .object([
                    "connected": .bool(broker.connected),
                    "last_heartbeat": broker.lastHeartbeat.map { .string(RFC3339.string(from: $0)) } ?? .null,
                ]),
                "uptime_seconds": .int(Int64(Date().timeIntervalSince(identity.started))),
                "version": .string(BrokkrVersion.current), "timestamp": .string(RFC3339.string(from: Date())),
            ])
            return Response(
                status: healthy ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(string: body.serialized())))
        }
        return router
    }
}
