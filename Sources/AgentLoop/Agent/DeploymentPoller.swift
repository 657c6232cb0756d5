import BrokkrCommon
import Foundation
import Logging

/// One round of the agent's main job: fetch the target state, reconcile each deployment object in
/// order, report each outcome as an event (retried; a lost report means the object comes back in the
/// next target state and is re-applied idempotently).
public struct DeploymentPoller: Sendable {
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

    public init(broker: BrokerClient, reconciler: Reconciler, agentID: String, eventRetries: Int, eventRetryDelay: Duration,
                logger: Logger, applied: AppliedObjects = AppliedObjects()) {
        self.applied = applied
        self.broker = broker
        self.reconciler = reconciler
        self.agentID = agentID
        self.eventRetries = eventRetries
        self.eventRetryDelay = eventRetryDelay
        self.logger = logger
    }

    public func pollOnce() async throws -> [Outcome] {
        let (status, body) = try await broker.request(.GET, "/agents/\(agentID)/target-state")
        guard status == 200 else { throw BrokerClient.BrokerError(status: status, body: body) }
        var outcomes: [Outcome] = []
        for json in try JSONValue.parse(body).arrayValue ?? [] {
            guard let id = json["id"]?.stringValue else { continue }
            let outcome: Outcome
            do {
                let object = try Reconciler.DeploymentObject(json: json)
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
        let event = JSONValue.object([
            "agent_id": .string(agentID), "deployment_object_id": .string(outcome.deploymentObjectID),
            "event_type": .string("DEPLOY"), "status": .string(outcome.success ? "SUCCESS" : "FAILURE"),
            "message": outcome.message.map { .string(String($0.prefix(4000))) } ?? .null,
        ]).serialized()
        var attempt = 0
        while true {
            do {
                let (status, body) = try await broker.request(.POST, "/agents/\(agentID)/events", json: event)
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
