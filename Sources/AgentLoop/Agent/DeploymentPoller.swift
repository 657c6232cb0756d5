import BrokkrCommon
import BrokkrRuntime
import Foundation
import Logging
import Tracing

/// One round of the agent's main job: fetch the target state, reconcile each deployment object in
/// order, report each outcome as an event (retried; a lost report means the object comes back in the
/// next target state and is re-applied idempotently). With a broker that sends an ETag, the poll is
/// conditional and long: `304 Not Modified` means nothing new.
///
/// A failed object keeps coming back until the agent reports SUCCESS for it; `retries` spaces the
/// attempts out with exponential back-off; one that cannot parse is reported once and left alone.
/// `resync()` re-applies the whole current state, correcting
/// drift made by hand.
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
    public let retries: ApplyRetries
    /// Closed at shutdown: the object in flight is finished and reported, no further one starts.
    public let gate: ShutdownGate
    /// How long the broker may hold a conditional poll open waiting for a change (at most 60).
    let longPollSeconds: Int

    public init(
        broker: BrokerClient, reconciler: Reconciler, agentID: String, eventRetries: Int, eventRetryDelay: Duration,
        logger: Logger, applied: AppliedObjects = AppliedObjects(), etag: TargetStateETag = TargetStateETag(),
        longPollSeconds: Int = 0, retries: ApplyRetries = ApplyRetries(), gate: ShutdownGate = ShutdownGate()
    ) {
        self.applied = applied
        self.retries = retries
        self.gate = gate
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
        // While a failed object waits for its retry, polls stay unconditional so it comes back.
        etag.value = retries.pending.isEmpty ? response.etag : nil
        return .processed(outcomes)
    }

    /// Applies the objects that are due, in order, and reports each outcome. A report that cannot be
    /// delivered does not stop the round: the remaining objects are still applied and reported, and the
    /// error is thrown at the end (the unreported object comes back in the next target state).
    func process(_ body: String) async throws -> [Outcome] {
        let entries = try ContractJSON.decode([BrokkrCommon.DeploymentObject].self, from: body).map(Reconciler.DeploymentObject.init)
        retries.retain(only: Set(entries.map(\.id)))
        return try await applyAndReport(entries.filter { retries.isDue($0.id) }, eventType: "DEPLOY", apply)
    }

    /// Runs `body` for each object while the shutdown gate is open, and reports each outcome it returns
    /// (nil: nothing to report) as an `eventType` event. A report that cannot be delivered does not stop
    /// the others; the first such error is thrown at the end.
    func applyAndReport(
        _ objects: [Reconciler.DeploymentObject], eventType: String,
        _ body: (Reconciler.DeploymentObject) async -> Outcome?
    ) async throws -> [Outcome] {
        var outcomes: [Outcome] = []
        var reportFailure: (any Error)?
        for object in objects {
            guard gate.enter() else { break }
            defer { gate.leave() }
            // One span per object applied and reported; the report request carries it to the broker.
            let outcome: Outcome? = await withSpan("\(eventType.lowercased()) deployment object") { span in
                span.attributes["brokkr.deployment_object.id"] = object.id
                span.attributes["brokkr.stack.id"] = object.stackID
                guard let outcome = await body(object) else { return nil }
                if !outcome.success { span.setStatus(SpanStatus(code: .error, message: outcome.message)) }
                do {
                    try await report(outcome, eventType: eventType)
                } catch {
                    logger.error("Could not report the \(eventType) outcome of deployment object \(object.id): \(error)")
                    reportFailure = reportFailure ?? error
                }
                return outcome
            }
            if let outcome { outcomes.append(outcome) }
        }
        if let reportFailure { throw reportFailure }
        return outcomes
    }

    func apply(_ object: Reconciler.DeploymentObject) async -> Outcome {
        do {
            try await reconciler.reconcile(object)
            retries.succeeded(object.id)
            await applied.record(stackID: object.stackID, objectID: object.id, isDeletionMarker: object.isDeletionMarker)
            logger.info("Applied deployment object \(object.id)")
            return Outcome(deploymentObjectID: object.id, success: true, message: nil)
        } catch let error as Reconciler.ReconcileError where error.isPermanent {
            retries.failedForGood(object.id)
            logger.error("Deployment object \(object.id) failed, not to be retried (a newer object for the stack replaces it): \(error)")
            return Outcome(deploymentObjectID: object.id, success: false, message: "\(error)")
        } catch {
            let delay = retries.failed(object.id)
            logger.error("Deployment object \(object.id) failed (retrying in \(delay)): \(error)")
            return Outcome(deploymentObjectID: object.id, success: false, message: "\(error)")
        }
    }

    /// Re-applies every object of the current state that this agent applied (the applied set: not
    /// deletion markers, not objects waiting for a retry, not new objects, which the poll handles),
    /// reporting each one whose re-apply changed the cluster, or failed, as a `RESYNC` event. A report
    /// that cannot be delivered does not stop the resync; the first such error is thrown at the end.
    @discardableResult
    public func resync() async throws -> [Outcome] {
        let response = try await broker.targetState(agentID: agentID, ifNoneMatch: nil, waitSeconds: 0, full: true)
        guard response.status == 200 else { throw BrokerClient.BrokerError(status: response.status, body: response.body) }
        let waiting = retries.pending
        let deployed = Set(await applied.objectIDs)
        let objects = try ContractJSON.decode([BrokkrCommon.DeploymentObject].self, from: response.body).map(Reconciler.DeploymentObject.init)
            .filter { deployed.contains($0.id) && !waiting.contains($0.id) }
        return try await applyAndReport(objects, eventType: "RESYNC") { object in
            let outcome: Outcome
            do {
                let changes = try await reconciler.reconcile(object, observingDrift: true)
                guard !changes.isEmpty else { return nil }
                outcome = Outcome(deploymentObjectID: object.id, success: true, message: "drift corrected: " + changes.joined(separator: ", "))
            } catch {
                outcome = Outcome(deploymentObjectID: object.id, success: false, message: "resync failed: \(error)")
            }
            logger.warning("Resync of deployment object \(object.id): \(outcome.message ?? "")")
            return outcome
        }
    }

    func report(_ outcome: Outcome, eventType: String = "DEPLOY") async throws {
        guard let objectID = UUID(uuidString: outcome.deploymentObjectID) else { return }
        let event = NewAgentEvent(
            agentID: UUID(uuidString: agentID), deploymentObjectID: objectID, eventType: eventType,
            status: outcome.success ? "SUCCESS" : "FAILURE", message: outcome.message.map { String($0.prefix(4000)) })
        var attempt = 0
        while true {
            do {
                try await broker.reportEvent(event, agentID: agentID)
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
