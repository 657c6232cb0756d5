import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// On-demand diagnostics: the admin asks an agent to collect pod statuses, events and log tails for
/// a deployment object; the agent claims the request and posts the result.
enum DiagnosticRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.post, "deployment-objects/:id/diagnostics", .admin(), failure: "Failed to create diagnostic request") { request, context, principal in
            let objectID = try context.uuid("id")
            let body = try await RequestBody.read(request)
            let agentID = try body.requiredUUID("agent_id")
            let requestedBy = try body.optionalString("requested_by")
            let retention = try body.optionalInt("retention_minutes") ?? 60
            guard (1...1440).contains(retention) else { throw APIError(.invalidDiagnosticRequest, "retention_minutes must be between 1 and 1440") }
            if let requestedBy, requestedBy.utf8.count > 255 { throw APIError(.invalidDiagnosticRequest, "requested_by cannot exceed 255 characters") }
            guard try await s.deploymentObjects.get(objectID) != nil else { throw APIError(.deploymentObjectNotFound, "Deployment object not found") }
            guard try await s.agents.exists(agentID) else { throw AgentRoutes.agentNotFound }
            let created = try await s.transaction { tx -> DiagnosticStore.Request in
                let created = try await DiagnosticStore(sql: tx).create(deploymentObjectID: objectID, agentID: agentID,
                                                                        requestedBy: requestedBy, retentionMinutes: retention)
                try await s.audit(tx, principal, "diagnostic.requested", resourceType: "diagnostic", resourceID: created.id,
                                  details: .object(["agent_id": .string(agentID.uuidString.lowercased()),
                                                    "deployment_object_id": .string(objectID.uuidString.lowercased())]), request: request)
                return created
            }
            return JSONResponse.raw(created.json, status: .created)
        }

        api.add(.get, "agents/:id/diagnostics/pending", .adminOrAgentSelf(), failure: "Failed to fetch pending diagnostics") { _, context, _ in
            JSONResponse.raw(try await DiagnosticStore(sql: s.database).pendingJSON(agentID: try context.uuid("id")))
        }

        api.add(.get, "diagnostics/:id", .resourceChecked, failure: "Failed to fetch diagnostic request") { _, context, principal in
            let store = DiagnosticStore(sql: s.database)
            let request = try await assigned(context, principal, store, adminAllowed: true)
            let result = try await store.resultJSON(requestID: request.id) ?? "null"
            return JSONResponse.raw(#"{"request":\#(request.json),"result":\#(result)}"#)
        }

        api.add(.post, "diagnostics/:id/claim", .resourceChecked, failure: "Failed to claim diagnostic request") { _, context, principal in
            let store = DiagnosticStore(sql: s.database)
            let request = try await assigned(context, principal, store, adminAllowed: true)
            guard let claimed = try await store.transition(request.id, from: "pending", to: "claimed") else {
                let now = try await store.get(request.id)
                throw APIError(.diagnosticAlreadyClaimed, "Request is already \(now?.status ?? request.status)")
            }
            return JSONResponse.raw(claimed.json)
        }

        api.add(.post, "diagnostics/:id/result", .resourceChecked, failure: "Failed to store diagnostic result") { request, context, principal in
            let store = DiagnosticStore(sql: s.database)
            let diagnostic = try await assigned(context, principal, store, adminAllowed: false)
            let body = try await RequestBody.read(request)
            let podStatuses = try body.requiredString("pod_statuses"), events = try body.requiredString("events")
            let logTails = try body.optionalString("log_tails")
            guard let collectedAt = RFC3339.date(from: try body.requiredString("collected_at")) else {
                throw APIError(.invalidDiagnosticResult, "collected_at must be an RFC 3339 timestamp")
            }
            for (name, text) in [("pod_statuses", podStatuses), ("events", events), ("log_tails", logTails ?? "null")] {
                guard (try? JSONValue.parse(text)) != nil else { throw APIError(.invalidDiagnosticResult, "\(name) must be JSON-encoded text") }
            }
            let json = try await s.transaction { tx -> String in
                let store = DiagnosticStore(sql: tx)
                guard try await store.transition(diagnostic.id, from: "claimed", to: "completed") != nil else {
                    let now = try await store.get(diagnostic.id)
                    throw APIError(.diagnosticNotClaimed, "Request status is \(now?.status ?? diagnostic.status), expected 'claimed'")
                }
                return try await store.addResult(requestID: diagnostic.id, podStatuses: podStatuses, events: events,
                                                 logTails: logTails, collectedAt: collectedAt)
            }
            return JSONResponse.raw(json, status: .created)
        }
    }

    /// The path's request, if the caller is its assigned agent (or the admin, where allowed): 404 before 403.
    static func assigned(_ context: BrokkrRequestContext, _ principal: Principal, _ store: DiagnosticStore, adminAllowed: Bool) async throws -> DiagnosticStore.Request {
        guard let request = try await store.get(try context.uuid("id")) else { throw APIError(.diagnosticNotFound, "Diagnostic request not found") }
        let allowed = principal.agentID == request.agentID || (adminAllowed && principal.isAdmin)
        guard allowed else { throw APIError(.diagnosticNotOwned, "Only the assigned agent may do this") }
        return request
    }
}
