import Foundation

/// The entity tag of an agent's target state: `"<version>-<mode>"`. It is a strong tag: for a given
/// version and mode the document is byte-for-byte the same, because every write that could change it
/// bumps the version.
struct TargetStateTag: Equatable, Sendable {
    let version: Int64
    let full: Bool
    let headerValue: String

    init(version: Int64, full: Bool) {
        self.version = version
        self.full = full
        self.headerValue = "\"\(version)-\(full ? "full" : "incremental")\""
    }

    /// Whether an `If-None-Match` header (a list of tags) names this tag (`EntityTag`).
    func isMatched(byIfNoneMatch header: String?) -> Bool {
        EntityTag.isMatched(headerValue, byIfNoneMatch: header)
    }
}
