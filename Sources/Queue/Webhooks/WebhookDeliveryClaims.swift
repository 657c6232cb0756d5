import Foundation
import PostgresNIO

/// Who may claim which webhook deliveries: the broker's deliverer takes those without target labels
/// (NULL or empty); an agent takes those whose target labels it all carries, recording itself as
/// `acquired_by`.
extension ClaimFilter {
    public static let brokerDelivered = ClaimFilter(predicate: "target_labels IS NULL OR cardinality(target_labels) = 0")

    public static func agentDelivered(agentID: UUID, agentLabels: [String]) -> ClaimFilter {
        ClaimFilter(
            predicate: "cardinality(target_labels) > 0 AND target_labels <@ $6::text[]",
            assignments: "acquired_by = $7",
            appendBinds: { binds in
                binds.append(agentLabels)
                binds.append(agentID)
            })
    }

    /// The claim owner recorded for an agent's claims (`claimed_by` is text; workers use their own ids).
    public static func agentOwner(_ agentID: UUID) -> String { "agent:\(agentID.uuidString.lowercased())" }
}
