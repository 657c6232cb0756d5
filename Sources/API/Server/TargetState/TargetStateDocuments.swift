import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The target-state document last served per agent and mode, with the version it was built at. Every
/// write that could change a document bumps the agent's version, so a poll that reads the same
/// version is answered with the same bytes without running the target-state query again. The cache
/// is bounded in bytes; past the bound, arbitrary entries make room (they are rebuilt when next asked).
final class TargetStateDocuments: Sendable {
    private struct Key: Hashable {
        let agentID: UUID
        let full: Bool
    }

    private struct Entries {
        var documents: [Key: (version: Int64, body: ByteBuffer, built: ContinuousClock.Instant)] = [:]
        var bytes = 0
    }

    private let entries = NIOLockedValueBox(Entries())
    let maxBytes: Int
    /// How long a document is served again at most: a bound on what a missed version bump would cost.
    /// None is known since migration 10 serialised the writes that meet across transactions.
    let maxAge: Duration

    init(maxBytes: Int = 64 << 20, maxAge: Duration = .seconds(60)) {
        self.maxBytes = maxBytes
        self.maxAge = maxAge
    }

    /// The document built at `version`, if it is the one held and recent enough.
    func body(agentID: UUID, full: Bool, version: Int64) -> ByteBuffer? {
        entries.withLockedValue { entries in
            guard let entry = entries.documents[Key(agentID: agentID, full: full)], entry.version == version,
                ContinuousClock.now - entry.built < maxAge
            else { return nil }
            return entry.body
        }
    }

    /// Holds `body` as the document at `version`, unless a document of a later version is held already
    /// (a slower poll finishing last must not replace it).
    func store(_ body: ByteBuffer, agentID: UUID, full: Bool, version: Int64) {
        guard body.readableBytes <= maxBytes / 4 else { return }
        let key = Key(agentID: agentID, full: full)
        let now = ContinuousClock.now
        entries.withLockedValue { entries in
            if let held = entries.documents[key] {
                guard held.version < version || (held.version == version && now - held.built >= maxAge) else { return }
                entries.documents[key] = nil
                entries.bytes -= held.body.readableBytes
            }
            while entries.bytes + body.readableBytes > maxBytes, let victim = entries.documents.first {
                entries.documents[victim.key] = nil
                entries.bytes -= victim.value.body.readableBytes
            }
            entries.documents[key] = (version, body, now)
            entries.bytes += body.readableBytes
        }
    }
}
