import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// /admin: the audit log query and configuration reload.
enum AdminRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.get, "admin/audit-logs", .admin(), failure: "Failed to query audit logs") { request, _, _ in
            let q = request.uri.queryParameters
            func uuid(_ name: String) throws -> UUID? {
                guard let raw = q[name[...]] else { return nil }
                guard let id = UUID(uuidString: String(raw)) else { throw APIError(.invalidParameter, "query parameter \(name) must be a UUID") }
                return id
            }
            func date(_ name: String) throws -> Date? {
                guard let raw = q[name[...]] else { return nil }
                guard let d = RFC3339.date(from: String(raw)) else {
                    throw APIError(.invalidParameter, "query parameter \(name) must be an RFC 3339 timestamp")
                }
                return d
            }
            func int(_ name: String, default value: Int) throws -> Int {
                guard let raw = q[name[...]] else { return value }
                guard let i = Int(raw) else { throw APIError(.invalidParameter, "query parameter \(name) must be an integer") }
                return i
            }
            let limit = min(max(try int("limit", default: 100), 0), 1000)
            let offset = max(try int("offset", default: 0), 0)
            let filter = AuditLogStore.Filter(
                actorType: q["actor_type"].map(String.init), actorID: try uuid("actor_id"), action: q["action"].map(String.init),
                resourceType: q["resource_type"].map(String.init), resourceID: try uuid("resource_id"),
                from: try date("from"), to: try date("to"))
            let page = try await AuditLogStore(sql: s.database).page(filter, limit: limit, offset: offset)
            return try JSONResponse.encode(
                AuditLogListResponse(logs: page.logs, total: page.total, count: page.logs.count, limit: limit, offset: offset))
        }

        api.add(.post, "admin/config/reload", .admin(), failure: "Failed to reload configuration") { request, _, principal in
            let changes = try await ConfigService(s: s).reload(by: ChangeActor(principal, request))
            let changed = changes.map { ConfigChangeInfo(key: $0.key, oldValue: $0.oldValue, newValue: $0.newValue) }
            return try JSONResponse.encode(
                ConfigReloadResponse(
                    reloadedAt: Date(), changes: changed, success: true,
                    message: changes.isEmpty ? "No changes detected" : "\(changes.count) setting(s) updated"))
        }
    }
}
