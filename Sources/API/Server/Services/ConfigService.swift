import BrokkrCommon
import BrokkrQueue
import Foundation

/// A configuration reload: this replica re-reads its settings, then, in the transaction of the audit
/// entry, tells every other API replica and worker to do the same.
struct ConfigService {
    let s: BrokerServices

    func reload(by actor: ChangeActor) async throws -> [ConfigChange] {
        let changes: [ConfigChange]
        do {
            changes = try s.config.reload()
        } catch {
            throw APIError(.reloadFailed, "Failed to reload configuration: \(error)")
        }
        let changed = changes.map { ConfigChangeInfo(key: $0.key, oldValue: $0.oldValue, newValue: $0.newValue) }
        try await s.change(by: actor) { change in
            try await change.audit("config.reloaded", "config", nil, details: .object(["changes": try ContractJSON.value(changed)]))
            try await ConfigReloadListener.notifyAll(from: s.config, on: change.tx)
        }
        return changes
    }
}
