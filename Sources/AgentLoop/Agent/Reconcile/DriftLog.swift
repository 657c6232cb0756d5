import BrokkrCommon

/// What a re-apply changed in the cluster, object by object: an object that was missing was recreated,
/// one whose content the apply changed was corrected. Status and the bookkeeping metadata
/// (`resourceVersion`, `generation`, `managedFields`) are left out of the comparison, so a controller
/// updating the status between the read and the apply is not mistaken for drift.
final class DriftLog {
    let isObserving: Bool
    private(set) var changes: [String] = []

    init(observing: Bool) {
        self.isObserving = observing
    }

    /// Compares an object read just before its apply with the apply's answer.
    func compare(_ item: JSONValue, before: JSONValue?, after: JSONValue) {
        guard isObserving else { return }
        if before == nil {
            record("\(Reconciler.describe(item)) recreated")
        } else if let before, Self.content(of: before) != Self.content(of: after) {
            record("\(Reconciler.describe(item)) corrected")
        }
    }

    static func content(of object: JSONValue) -> JSONValue {
        guard case .object(var fields) = object else { return object }
        fields["status"] = nil
        if case .object(var metadata)? = fields["metadata"] {
            for key in ["resourceVersion", "generation", "managedFields"] { metadata[key] = nil }
            fields["metadata"] = .object(metadata)
        }
        return .object(fields)
    }

    func record(_ change: String) {
        if isObserving { changes.append(change) }
    }
}
