import BrokkrCommon

/// What a re-apply changed in the cluster, object by object: an object that was missing was recreated,
/// one whose resourceVersion moved was corrected (a no-op server-side apply leaves it as it was).
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
        } else if before?["metadata"]?["resourceVersion"] != after["metadata"]?["resourceVersion"] {
            record("\(Reconciler.describe(item)) corrected")
        }
    }

    func record(_ change: String) {
        if isObserving { changes.append(change) }
    }
}
