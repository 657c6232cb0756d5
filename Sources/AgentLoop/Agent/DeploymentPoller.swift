import BrokkrCommon
import Foundation
import Logging

/// One round of the agent's main job: fetch the target state, reconcile each deployment object in
/// order, report each outcome as an event (retried; a lost report means the object comes back in the
/// next target state and is re-applied idempotently). With a broker that sends an ETag, the poll is
/// conditional and long: `304 Not Modified` means nothing new.
public struct DeploymentPoller: Sendable {
    public enum Poll: Sendable, Equatable {
        /// 304: the target state is the one last processed.
        case notModified
        case processed([Outcome])
    }

    public struct Outcome: Sendable, Equatable {
        public let deploymentObjectID: String
        public let success: Bool
        public let message: String?

        public init(deploymentObjectID: String, success: Bool, message: String?) {
            self.deploymentObjectID = deploymentObjectID
            self.success = success
            self.message = message
        }
    }

    let broker: BrokerClient
    let reconciler: Reconciler
    let agentID: String
    let eventRetries: Int
    let eventRetryDelay: Duration
    let logger: Logger
    /// What health checks watch: the object last applied per stack.
    public let applied: AppliedObjects
    public let etag: TargetStateETag
    /// How long the broker may hold a conditional poll open waiting for a change (at most 60).
    let longPollSeconds: Int

    public init(broker: BrokerClient, reconciler: Reconciler, agentID: String, eventRetries: Int, eventRetryDelay: Duration,
                logger: Logger, applied: AppliedObjects = AppliedObjects(), etag: TargetStateETag = TargetStateETag(),
                longPollSeconds: Int = 0) {
        self.applied = applied
        self.etag = etag
        self.longPollSeconds = min(max(longPollSeconds, 0), 60)
        self.broker = broker
        self.reconciler = reconciler
        self.agentID = agentID
        self.eventRetries = eventRetries
        self.eventRetryDelay = eventRetryDelay
        self.logger = logger
    }

    public func pollOnce() async throws -> [Outcome] {
        guard case .processed(let outcomes) = try await poll() else { return [] }
        return outcomes
    }

    public func poll() async throws -> Poll {
        // The tag is kept only once the round succeeds: after any failure the next poll is
        // unconditional (an object whose report was lost must come back) and paced as before.
        let known = etag.value
        etag.value = nil
        let response = try await broker.targetState(agentID: agentID, ifNoneMatch: known, waitSeconds: longPollSeconds)
        if response.status == 304, known != nil {
            etag.value = known
            return .notModified
        }
        guard response.status == 200 else { throw BrokerClient.BrokerError(status: response.status, body: response.body) }
        let outcomes = try await process(response.body)
        etag.value = response.etag
        return .processed(outcomes)
    }

    func process(_ body: String) async throws -> [Outcome] {
        var outcomes: [Outcome] = []
        for entry in try ContractJSON.decode([BrokkrCommon.DeploymentObject].self, from: body) {
            let object = Reconciler.DeploymentObject(entry)
            let id = object.id
            let outcome: Outcome
            do {
                try await reconciler.reconcile(object)
                await applied.record(stackID: object.stackID, objectID: object.id, isDeletionMarker: object.isDeletionMarker)
                outcome = Outcome(deploymentObjectID: id, success: true, message: nil)
                logger.info("Applied deployment object \(id)")
            } catch {
                outcome = Outcome(deploymentObjectID: id, success: false, message: "\(error)")
                logger.error("Deployment object \(id) failed: \(error)")
            }
            try await report(outcome)
            outcomes.append(outcome)
        }
        return outcomes
    }

    func report(_ outcome: Outcome) async throws {
        guard let objectID = UUID(uuidString: outcome.deploymentObjectID) else { return }
        let event = NewAgentEvent(agentID: UUID(uuidString: agentID), deploymentObjectID: objectID, eventType: "DEPLOY",
                                  status: outcome.success ? "SUCCESS" : "FAILURE", message: outcome.message.map { String($0.prefix(4000)) })
        var attempt = 0
        while true {
            do {
                let (status, body) = try await broker.request(.POST, "/agents/\(agentID)/events", body: event)
                // 201 from v0.4.1 brokers, 200 from earlier ones.
                guard (200..<300).contains(status) else { throw BrokerClient.BrokerError(status: status, body: body) }
                return
            } catch {
                attempt += 1
                guard attempt <= eventRetries else { throw error }
                logger.warning("Event report failed (attempt \(attempt)): \(error)")
                try await Task.sleep(for: eventRetryDelay)
            }
        }
    }
}
