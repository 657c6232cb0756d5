import Hummingbird

/// The endpoints every process serves for Kubernetes probes and Prometheus: `/healthz` (the process
/// answers), `/readyz` (what it depends on answers) and `/metrics` (text exposition format).
public enum ProbeRoutes {
    /// Why a process is not ready, or nil when it is.
    public typealias Readiness = @Sendable () async -> String?

    public static func register<Context: RequestContext>(
        on router: Router<Context>, notReadyReason: @escaping Readiness, metrics: @escaping @Sendable () -> String
    ) {
        router.get("healthz") { _, _ in "OK" }
        router.get("readyz") { _, _ -> Response in
            if let reason = await notReadyReason() {
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: .init(string: reason)))
            }
            return Response(status: .ok, body: .init(byteBuffer: .init(string: "Ready")))
        }
        router.get("metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: .init(string: metrics())))
        }
    }
}
