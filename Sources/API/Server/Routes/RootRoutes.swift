import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// /healthz, /readyz, /api/v1/health and /metrics: unauthenticated, for probes and scrapers.
enum RootRoutes {
    static func register(_ router: Router<BrokkrRequestContext>, _ s: BrokerServices) {
        router.get("healthz") { _, _ in "OK" }
        router.get("readyz") { _, _ -> Response in
            // Unlike the original, readiness checks the database: a pod that cannot reach it should not get traffic.
            guard await s.database.isReachable() else {
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: .init(string: "Database unavailable")))
            }
            return Response(status: .ok, body: .init(byteBuffer: .init(string: "Ready")))
        }
        router.get("api/v1/health") { _, _ -> Response in
            let dbOK = await s.database.isReachable()
            return try JSONResponse.encode(
                BrokerHealthResponse(
                    status: dbOK ? "ok" : "degraded", database: dbOK ? "ok" : "unavailable",
                    version: BrokkrVersion.current), status: dbOK ? .ok : .serviceUnavailable)
        }
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: .init(string: s.metrics.exposition())))
        }
    }
}
