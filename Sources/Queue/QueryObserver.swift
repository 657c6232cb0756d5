import NIOConcurrencyHelpers

/// Reports every statement a `Database` runs (and its transactions run): its kind and how long it
/// took until its result began, for the broker's `brokkr_database_*` metrics. Nothing is timed until
/// someone observes.
public final class QueryObserver: Sendable {
    public typealias Report = @Sendable (_ queryType: String, _ seconds: Double) -> Void

    /// The report function, boxed: a function stored directly as the lock's generic value is
    /// re-abstracted on every `inout` access and written back wrapped in two more thunks, so each
    /// query would call through a chain that grows with every query (measured: a third of the
    /// throughput gone within a minute of polls).
    private final class Reporter: Sendable {
        let report: Report
        init(_ report: @escaping Report) { self.report = report }
    }

    private let reporter = NIOLockedValueBox<Reporter?>(nil)

    public init() {}

    public func observe(_ report: @escaping Report) { reporter.withLockedValue { $0 = Reporter(report) } }

    /// Runs `body`, which runs the statement `sql`, and reports it.
    func time<T>(_ sql: String, _ body: () async throws -> T) async throws -> T {
        guard let report = reporter.withLockedValue({ $0 })?.report else { return try await body() }
        let start = ContinuousClock.now
        defer {
            let elapsed = (ContinuousClock.now - start).components
            report(Self.queryType(of: sql), Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
        }
        return try await body()
    }

    /// `select`, `insert`, `update` or `delete` (the original's `query_type` values), `other` for the
    /// rest (DDL, LISTEN, SET). A `WITH` statement counts as the first data-modifying statement in it
    /// (`INSERT INTO`, `DELETE FROM`, an `UPDATE` that is not `FOR UPDATE`, `FOR NO KEY UPDATE` or
    /// `DO UPDATE`), and as `select` when it has none.
    static func queryType(of sql: String) -> String {
        var words = SQLWords(sql)
        guard let first = words.next() else { return "other" }
        switch first {
        case "select", "insert", "update", "delete": return first
        case "with": break
        default: return "other"
        }
        var previous = first
        while let word = words.next() {
            switch word {
            case "into" where previous == "insert": return "insert"
            case "from" where previous == "delete": return "delete"
            case "update" where !["for", "key", "do"].contains(previous): return "update"
            default: previous = word
            }
        }
        return "select"
    }
}

/// The words of a statement, lowercased: runs of ASCII letters and underscores; anything else
/// (digits, punctuation, white space) separates them. String literals, quoted identifiers and `--`
/// comments are skipped, so a `'delete from'` in a literal does not make a `WITH` a delete.
struct SQLWords: IteratorProtocol {
    private var bytes: String.UTF8View.Iterator
    private var previous: UInt8 = 0  // the byte before, to find `--`

    init(_ sql: String) { bytes = sql.utf8.makeIterator() }

    mutating func next() -> String? {
        var word: [UInt8] = []
        while let byte = bytes.next() {
            let lower = byte | 0x20
            if (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_") {
                word.append(byte == UInt8(ascii: "_") ? byte : lower)
                previous = byte
                continue
            }
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                skip(through: byte)  // a doubled quote inside reads as two literals: nothing of it counts either way
            } else if byte == UInt8(ascii: "-"), previous == UInt8(ascii: "-") {
                skip(through: UInt8(ascii: "\n"))
            } else {
                previous = byte
            }
            if !word.isEmpty { break }
        }
        return word.isEmpty ? nil : String(decoding: word, as: UTF8.self)
    }

    private mutating func skip(through end: UInt8) {
        while let byte = bytes.next(), byte != end {}
        previous = end
    }
}
