import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird
import Logging

/// Builds the broker's HTTP application: root endpoints without auth, /api/v1 behind PAK auth.
public enum BrokerApplication {
    public static func makeRouter(_ s: BrokerServices, routeTable: RouteTable = RouteTable()) -> Router<BrokkrRequestContext> {
        let router = Router(context: BrokkrRequestContext.self)
        // Outermost: one span per request, named by its route template, continuing an incoming W3C
        // `traceparent`. Left out when telemetry is off, so untraced requests pay nothing for it.
        if s.settings.telemetry.broker.enabled {
            router.add(middleware: TracingMiddleware())
        }
        router.add(middleware: ClientAddressMiddleware(trusted: s.settings.broker.trustedProxies.compactMap(IPRange.init)))
        router.add(middleware: MetricsMiddleware(metrics: s.metrics))
        router.add(middleware: CORSMiddleware(config: s.config))
        RootRoutes.register(router, s)
        DocsRoutes.register(router, s)

        let group = router.group("api/v1").add(
            middleware: AuthMiddleware(authenticator: Authenticator(database: s.database, cache: s.authCache), metrics: s.metrics))
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

    public static func makeApplication(
        _ s: BrokerServices, host: String, port: Int, routeTable: RouteTable = RouteTable(),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> Application<RouterResponder<BrokkrRequestContext>> {
        Application(
            router: makeRouter(s, routeTable: routeTable),
            server: .http1(configuration: .init(additionalChannelHandlers: [ClientCloseWatcher()])),
            configuration: .init(address: .hostname(host, port: port), serverName: "brokkr"),
            // Started with the server and stopped after it: the LISTEN connections long polls wait on and
            // configuration reloads arrive by.
            services: [
                TargetStateListener(database: s.database, waiters: s.targetStateWaiters, logger: s.logger),
                ConfigReloadListener(database: s.database, config: s.config, logger: s.logger),
            ],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: s.logger)
    }
}
