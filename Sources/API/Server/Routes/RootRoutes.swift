import BrokkrCommon
import BrokkrQueue
import BrokkrRuntime
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// /healthz, /readyz and /metrics (as every process serves them) and /api/v1/health: unauthenticated, for probes and scrapers.
enum RootRoutes {
    static func register(_ router: Router<BrokkrRequestContext>, _ s: BrokerServices) {
        // Unlike the original, readiness checks the database: a pod that cannot reach it should not get traffic.
        ProbeRoutes.register(
            on: router, notReadyReason: { await s.database.isReachable() ? nil : "Database unavailable" },
            metrics: { s.metrics.exposition() })
        router.get("api/v1/health") { _, _ -> Response in
            let dbOK = await s.database.isReachable()
            return try JSONResponse.encode(
                BrokerHealthResponse(
                    status: dbOK ? "ok" : "degraded", database: dbOK ? "ok" : "unavailable",
                    version: BrokkrVersion.current), status: dbOK ? .ok : .serviceUnavailable)
        }
    }
}
