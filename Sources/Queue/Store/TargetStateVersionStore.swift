import Foundation
import PostgresNIO

/// Reads the per-agent target-state version that the database triggers bump (migration 8).
public struct TargetStateVersionStore: Sendable {
    let sql: any SQLExecutor

    public init(sql: any SQLExecutor) { self.sql = sql }

    /// The agent's current version; 0 until the first change (and for unknown agents).
    public func version(agentID: UUID) async throws -> Int64 {
        try await sql.prepared(TargetStateVersionStatement(agentID: agentID)).first ?? 0
    }

    /// Several agents' versions in one lookup; agents without a row are left out (their version is 0).
    public func versions(agentIDs: [UUID]) async throws -> [UUID: Int64] {
        var versions: [UUID: Int64] = [:]
        for row in try await sql.prepared(TargetStateVersionsStatement(agentIDs: agentIDs)) { versions[row.agentID] = row.version }
        return versions
    }
}

/// The shared lookup of concurrent polls (`TargetStateVersionReader` in the API).
struct TargetStateVersionsStatement: PostgresPreparedStatement {
    static let name = "brokkr_target_state_versions_v1"
    static let sql = "SELECT agent_id, version FROM agent_target_state_versions WHERE agent_id = ANY($1)"
    typealias Row = (agentID: UUID, version: Int64)

    let agentIDs: [UUID]

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(agentIDs)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (agentID, version) = try row.decode((UUID, Int64).self)
        return (agentID, version)
    }
}

/// One primary-key lookup, asked by every conditional poll: a prepared statement.
struct TargetStateVersionStatement: PostgresPreparedStatement {
    static let name = "brokkr_target_state_version_v1"
    static let sql = "SELECT version FROM agent_target_state_versions WHERE agent_id = $1"
    typealias Row = Int64

    let agentID: UUID

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(agentID)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}
