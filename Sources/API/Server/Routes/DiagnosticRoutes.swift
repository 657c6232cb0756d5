import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// On-demand diagnostics: the admin asks an agent to collect pod statuses, events and log tails for
/// a deployment object; the agent claims the request and posts the result.
enum DiagnosticRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.post, "deployment-objects/:id/diagnostics", .admin(), failure: "Failed to create diagnostic request") {
            request, context, principal in
            let objectID = try context.uuid("id")
            let new = try await request.decode(as: CreateDiagnosticRequest.self)
            let created = try await DiagnosticService(s: s).request(
                objectID: objectID, agentID: new.agentID, requestedBy: new.requestedBy, retentionMinutes: new.retentionMinutes ?? 60,
                by: ChangeActor(principal, request))
            return try JSONResponse.encode(created, status: .created)
        }

        api.add(.get, "agents/:id/diagnostics/pending", .adminOrAgentSelf(), failure: "Failed to fetch pending diagnostics") { request, context, _ in
            try JSONResponse.conditional(try await DiagnosticStore(sql: s.database).pending(agentID: try context.uuid("id")), for: request)
        }

        api.add(.get, "diagnostics/:id", .resourceChecked, failure: "Failed to fetch diagnostic request") { _, context, principal in
            let store = DiagnosticStore(sql: s.database)
            let request = try await assigned(context, principal, store, adminAllowed: true)
            return try JSONResponse.encode(DiagnosticResponse(request: request, result: try await store.result(requestID: request.id)))
        }

        api.add(.post, "diagnostics/:id/claim", .resourceChecked, failure: "Failed to claim diagnostic request") { _, context, principal in
            let store = DiagnosticStore(sql: s.database)
            let request = try await assigned(context, principal, store, adminAllowed: true)
            guard let claimed = try await store.transition(request.id, from: "pending", to: "claimed") else {
                let now = try await store.get(request.id)
                throw APIError(.diagnosticAlreadyClaimed, "Request is already \(now?.status ?? request.status)")
            }
            return try JSONResponse.encode(claimed)
        }

        api.add(.post, "diagnostics/:id/result", .resourceChecked, failure: "Failed to store diagnostic result") { request, context, principal in
            let store = DiagnosticStore(sql: s.database)
            let diagnostic = try await assigned(context, principal, store, adminAllowed: false)
            let submitted = try await request.decode(as: SubmitDiagnosticResult.self)
            let result = try await DiagnosticService(s: s).submit(submitted, for: diagnostic)
            return try JSONResponse.encode(result, status: .created)
        }
    }

    /// The path's request, if the caller is its assigned agent (or the admin, where allowed): 404 before 403.
    static func assigned(_ context: BrokkrRequestContext, _ principal: Principal, _ store: DiagnosticStore, adminAllowed: Bool) async throws
        -> DiagnosticRequest
    {
        guard let request = try await store.get(try context.uuid("id")) else { throw APIError(.diagnosticNotFound, "Diagnostic request not found") }
        let allowed = principal.agentID == request.agentID || (adminAllowed && principal.isAdmin)
        guard allowed else { throw APIError(.diagnosticNotOwned, "Only the assigned agent may do this") }
        return request
    }
}
