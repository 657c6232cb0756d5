import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird
import Logging

/// Builds the broker's HTTP application: root endpoints without auth, /api/v1 behind PAK auth.
public enum BrokerApplication {
    public static func makeRouter(_ s: BrokerServices, routeTable: RouteTable = RouteTable()) -> Router<BrokkrRequestContext> {
        let router = Router(context: BrokkrRequestContext.self)
        router.add(middleware: ClientAddressMiddleware(trusted: s.settings.broker.trustedProxies.compactMap(IPRange.init)))
        router.add(middleware: MetricsMiddleware(metrics: s.metrics))
        router.add(middleware: CORSMiddleware(config: s.config))
        RootRoutes.register(router, s)
        DocsRoutes.register(router, s)

        let group = router.group("api/v1").add(middleware: AuthMiddleware(authenticator: Authenticator(database: s.database, cache: s.authCache), metrics: s.metrics))
        let api = APIRoutes(group: group, table: routeTable)
        AgentRoutes.register(api, s)
        AgentResourceRoutes.register(api, s)
        AgentEventRoutes.register(api, s)
        GeneratorRoutes.register(api, s)
        StackRoutes.register(api, s)
        DeploymentObjectRoutes.register(api, s)
        TemplateRoutes.register(api, s)
        AdminRoutes.register(api, s)
        DiagnosticRoutes.register(api, s)
        HealthRoutes.register(api, s)
        AuthRoutes.register(api, s)
        WorkOrderRoutes.register(api, s)
        WebhookRoutes.register(api, s)
        AgentWebhookRoutes.register(api, s)
        return router
    }

    public static func makeApplication(_ s: BrokerServices, host: String, port: Int, routeTable: RouteTable = RouteTable(),
                                       onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: makeRouter(s, routeTable: routeTable),
            configuration: .init(address: .hostname(host, port: port), serverName: "brokkr"),
            // Started with the server and stopped after it: the LISTEN connections long polls wait on and
            // configuration reloads arrive by.
            services: [TargetStateListener(database: s.database, waiters: s.targetStateWaiters, logger: s.logger),
                       ConfigReloadListener(database: s.database, config: s.config, logger: s.logger)],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: s.logger)
    }
}

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
            return try JSONResponse.encode(BrokerHealthResponse(status: dbOK ? "ok" : "degraded", database: dbOK ? "ok" : "unavailable",
                                                                version: BrokkrVersion.current), status: dbOK ? .ok : .serviceUnavailable)
        }
        router.get("metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: .init(string: s.metrics.exposition())))
        }
    }
}

/// Counts and times every request except /metrics, by the matched route's template (e.g.
/// `/api/v1/stacks/{id}/labels/{label}`), never the raw path: labels, keys and ids in paths would
/// otherwise make one time series per value.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = BrokkrRequestContext
    let metrics: BrokerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path != "/metrics" else { return try await next(request, context) }
        let start = ContinuousClock.now
        func record(_ status: Int) {
            let path = context.endpointPath ?? "unmatched"
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            metrics.recordHTTPRequest(path: path, method: request.method.rawValue, status: status, seconds: seconds)
        }
        do {
            let response = try await next(request, context)
            record(response.status.code)
            return response
        } catch let error as HTTPResponseError {
            record(error.status.code)
            throw error
        } catch {
            record(500)
            throw error
        }
    }
}

/// CORS from `[cors]` (origins and max-age hot-reloadable): `*` allows any origin; preflights are answered here.
struct CORSMiddleware: RouterMiddleware {
    typealias Context = BrokkrRequestContext
    let config: ReloadableSettings

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let settings = config.value.cors
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allowAll = settings.allowedOrigins.contains("*")
        guard allowAll || settings.allowedOrigins.contains(origin) else { return try await next(request, context) }
        if request.method == .options {
            var response = Response(status: .noContent)
            response.headers[.accessControlAllowOrigin] = allowAll ? "*" : origin
            response.headers[.accessControlAllowMethods] = settings.allowedMethods.joined(separator: ", ")
            response.headers[.accessControlAllowHeaders] = settings.allowedHeaders.joined(separator: ", ")
            response.headers[.accessControlMaxAge] = String(settings.maxAgeSeconds)
            return response
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = allowAll ? "*" : origin
        return response
    }
}
