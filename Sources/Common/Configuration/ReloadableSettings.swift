import Foundation

/// One hot-reloaded setting that changed, as `POST /admin/config/reload` reports it.
public struct ConfigChange: Sendable, Equatable {
    public let key: String
    public let oldValue: String
    public let newValue: String
}

/// The process's settings, of which the hot-reloadable keys can be re-read (config file + environment)
/// while running — on `POST /admin/config/reload` or SIGHUP. Static keys keep their start-up values.
public final class ReloadableSettings: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Settings
    private let environment: @Sendable () -> [String: String]
    /// Names this holder in reload notifications, so the process that already reloaded for a request
    /// does not reload again when its own notification comes back.
    public let instanceID = UUID().uuidString.lowercased()

    public init(_ settings: Settings, environment: @escaping @Sendable () -> [String: String] = { ProcessInfo.processInfo.environment }) {
        self.current = settings
        self.environment = environment
    }

    public var value: Settings { lock.withLock { current } }

    /// The hot-reloadable keys, in the order changes are reported, with how each is rendered.
    static let hotKeys: [(key: String, render: @Sendable (Settings) -> String)] = [
        ("log.level", { $0.log.level }),
        ("broker.diagnostic_cleanup_interval_seconds", { String($0.broker.diagnosticCleanupIntervalSeconds) }),
        ("broker.diagnostic_max_age_hours", { String($0.broker.diagnosticMaxAgeHours) }),
        ("broker.webhook_delivery_interval_seconds", { String($0.broker.webhookDeliveryIntervalSeconds) }),
        ("broker.webhook_delivery_batch_size", { String($0.broker.webhookDeliveryBatchSize) }),
        ("broker.webhook_cleanup_retention_days", { String($0.broker.webhookCleanupRetentionDays) }),
        ("cors.allowed_origins", { "[" + $0.cors.allowedOrigins.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }),
        ("cors.max_age_seconds", { String($0.cors.maxAgeSeconds) }),
        ("workers.poll_interval_seconds", { String($0.workers.pollIntervalSeconds) }),
    ]

    /// Re-reads defaults < file < environment; applies the hot-reloadable keys and returns what changed.
    /// A bad file leaves the running settings untouched and throws.
    @discardableResult
    public func reload() throws -> [ConfigChange] {
        let old = value
        let fresh = try Settings.load(file: old.configFile, environment: environment())
        var next = old
        next.log.level = fresh.log.level
        next.broker.diagnosticCleanupIntervalSeconds = fresh.broker.diagnosticCleanupIntervalSeconds
        next.broker.diagnosticMaxAgeHours = fresh.broker.diagnosticMaxAgeHours
        next.broker.webhookDeliveryIntervalSeconds = fresh.broker.webhookDeliveryIntervalSeconds
        next.broker.webhookDeliveryBatchSize = fresh.broker.webhookDeliveryBatchSize
        next.broker.webhookCleanupRetentionDays = fresh.broker.webhookCleanupRetentionDays
        next.cors.allowedOrigins = fresh.cors.allowedOrigins
        next.cors.maxAgeSeconds = fresh.cors.maxAgeSeconds
        next.workers.pollIntervalSeconds = fresh.workers.pollIntervalSeconds
        let changes = Self.hotKeys.compactMap { key, render -> ConfigChange? in
            let before = render(old)
            let after = render(next)
            return before == after ? nil : ConfigChange(key: key, oldValue: before, newValue: after)
        }
        lock.withLock { current = next }
        LogSetup.setLevel(next.log.level)
        return changes
    }

    /// "2 change(s)" with one line per change, for the log.
    public static func describe(_ changes: [ConfigChange]) -> String {
        "\(changes.count) change(s)" + changes.map { "\n  - \($0.key): '\($0.oldValue)' -> '\($0.newValue)'" }.joined()
    }

    /// Reloads on every SIGHUP, logging the changes (or the error).
    public func reloadOnSIGHUP(log: @escaping @Sendable (String) -> Void) -> any Sendable {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { [self] in
            do {
                log("SIGHUP configuration reload: \(Self.describe(try reload()))")
            } catch {
                log("Failed to reload configuration on SIGHUP: \(error)")
            }
        }
        source.resume()
        return SignalSourceBox(source: source)
    }
}

/// Keeps a signal source alive for as long as the caller holds it.
struct SignalSourceBox: @unchecked Sendable {
    let source: any DispatchSourceSignal
}
