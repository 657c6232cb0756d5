import Foundation

/// A built executable of this package run as a child process, with its output collected, for tests
/// of signals and multi-process behaviour.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var collected = ""

    /// The directory holding the package's built products (next to the test bundle).
    static var productsDirectory: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments.first(where: { $0.hasSuffix(".xctest") }) ?? CommandLine.arguments[0])
        return bundle.deletingLastPathComponent()
    }

    /// A product the test needs is not built: a failure, never a skip, so a broken build cannot pass.
    struct MissingProduct: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path) is not built (scripts/test.sh builds every product with the tests)" }
    }

    /// The path of a built product, or `MissingProduct`.
    static func product(_ name: String) throws -> URL {
        let url = productsDirectory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else { throw MissingProduct(path: url.path) }
        return url
    }

    init(product: String, arguments: [String] = [], environment: [String: String]) throws {
        process.executableURL = try Self.product(product)
        process.arguments = arguments
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.collected += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    var output: String { lock.withLock { collected } }

    /// Waits until the output contains `text`, or fails after `timeout`.
    func waitForOutput(_ text: String, timeout: Duration = .seconds(20)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            if !process.isRunning { return output.contains(text) }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// The port from the server's "listening on HOST:PORT" line, once it has printed one.
    var listeningPort: Int? {
        output.components(separatedBy: "listening on ").dropFirst().first?
            .prefix { $0 != "\n" }.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for exit (up to `timeout`), killing the process if it does not stop.
    func waitForExit(timeout: Duration = .seconds(20)) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }
}
