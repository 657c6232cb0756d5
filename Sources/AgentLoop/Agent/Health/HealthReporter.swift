import BrokkrCommon
import Foundation
import Logging

/// Reports the health of every applied deployment object with one `PATCH /agents/{id}/health-status`.
public struct HealthReporter: Sendable {
    let broker: BrokerClient
    let checker: HealthChecker
    let applied: AppliedObjects
    let agentID: String

    public init(broker: BrokerClient, checker: HealthChecker, applied: AppliedObjects, agentID: String) {
        self.broker = broker
        self.checker = checker
        self.applied = applied
        self.agentID = agentID
    }

    /// Returns the entries sent (none: nothing to report, no request).
    @discardableResult
    public func reportOnce() async throws -> [DeploymentObjectHealthUpdate] {
        var entries: [DeploymentObjectHealthUpdate] = []
        for id in await applied.objectIDs.compactMap(UUID.init(uuidString:)) { entries.append(await checker.check(deploymentObjectID: id)) }
        guard !entries.isEmpty else { return [] }
        try await broker.reportHealth(HealthStatusUpdate(deploymentObjects: entries), agentID: agentID)
        return entries
    }
}
