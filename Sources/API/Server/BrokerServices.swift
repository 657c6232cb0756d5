import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// What handlers share: the pool, the key cache, key generation, metrics and settings.
public struct BrokerServices: Sendable {
    public let database: Database
    public let authCache: AuthCache
    public let pakGenerator: PAKGenerator
    public let metrics: BrokerMetrics
    /// Settings with the hot-reloadable keys swapped in by `POST /admin/config/reload` and SIGHUP.
    public let config: ReloadableSettings
    public let logger: Logger
    /// The webhook secrets' key, or why there is none (`brokkr-api serve` refuses to start then).
    public let webhookCipherResult: Result<WebhookCipher, any Error>
    /// Long-polling target-state requests, woken by `TargetStateListener`.
    public let targetStateWaiters = TargetStateWaiters()
    /// Agents' target-state versions, read for concurrent polls in shared lookups.
    let targetStateVersions: TargetStateVersionReader
    /// The document last served per agent and mode, reused while the agent's version stays the same.
    let targetStateDocuments = TargetStateDocuments()

    /// The current settings (static keys as at start-up, hot keys as last reloaded).
    public var settings: Settings { config.value }

    public init(database: Database, settings: Settings, metrics: BrokerMetrics, logger: Logger) {
        self.database = database
        self.targetStateVersions = TargetStateVersionReader(sql: database)
        self.config = ReloadableSettings(settings)
        self.metrics = metrics
        self.logger = logger
        database.queries.observe { queryType, seconds in metrics.recordDatabaseQuery(type: queryType, seconds: seconds) }
        self.authCache = AuthCache(ttlSeconds: settings.broker.authCacheTTLSeconds)
        self.pakGenerator = PAKGenerator(settings: settings.pak)
        self.webhookCipherResult = Result { try WebhookCipher(settings: settings.broker, logger: logger) }
    }

    var agents: AgentStore { AgentStore(sql: database) }
    var generators: GeneratorStore { GeneratorStore(sql: database) }
    var stacks: StackStore { StackStore(sql: database) }
    var deploymentObjects: DeploymentObjectStore { DeploymentObjectStore(sql: database) }
    var agentEvents: AgentEventStore { AgentEventStore(sql: database) }
    var agentTargets: AgentTargetStore { AgentTargetStore(sql: database) }
    func tags(_ owner: TagStore.Owner) -> TagStore { TagStore(sql: database, owner: owner) }
}
