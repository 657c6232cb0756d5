import BrokkrCommon
import BrokkrQueue

/// brokkr-workorders: returns finished back-offs and stale claims to PENDING, and expires stale
/// claims that have no retries left.
public struct WorkOrderMaintenanceSweep: WorkerSweep {
    public let name = "work-order-maintenance"
    public let channel: String? = nil
    public init() {}
    public func sweep(_ database: Database, settings: Settings) async throws -> Int {
        let workOrders = WorkOrderStore(sql: database)
        let retries = try await workOrders.resumeRetries()
        let stale = try await workOrders.releaseStaleClaims()
        let expired = try await workOrders.expireStaleClaims()
        if retries > 0 { database.logger.info("Reset \(retries) RETRY_PENDING work orders to PENDING") }
        if stale > 0 { database.logger.info("Released \(stale) stale claimed work orders") }
        if expired > 0 { database.logger.info("Expired \(expired) stale claimed work orders with no retries left") }
        return retries + stale + expired
    }
}
