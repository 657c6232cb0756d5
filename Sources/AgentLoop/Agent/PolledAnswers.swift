import Foundation

/// The last answer of each list the agent polls (pending work orders, pending diagnostics) with its
/// `ETag`, so the next poll can ask for `304 Not Modified` (`BrokerClient.getPolled`).
final class PolledAnswers: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String: (etag: String, body: String)] = [:]
    private var notModifiedCount = 0

    func answer(for path: String) -> (etag: String, body: String)? { lock.withLock { answers[path] } }

    /// Keeps a 200's body under its tag; an answer without a tag forgets the path.
    func store(path: String, etag: String?, body: String) {
        lock.withLock { answers[path] = etag.map { ($0, body) } }
    }

    func countNotModified() { lock.withLock { notModifiedCount += 1 } }

    /// How many polls were answered `304` (for tests and debugging).
    var notModified: Int { lock.withLock { notModifiedCount } }
}
