import BrokkrCommon
import Foundation

/// A kubeconfig `exec` credential plugin (`client.authentication.k8s.io/v1` or `v1beta1`), as used by
/// EKS (`aws eks get-token`), GKE (`gke-gcloud-auth-plugin`) and AKS (`kubelogin`): the command runs
/// with the configured arguments and environment plus `KUBERNETES_EXEC_INFO`, and prints an
/// `ExecCredential` whose `status.token` authenticates requests until `status.expirationTimestamp`.
public struct ExecCredentialPlugin: Sendable {
    public struct Credential: Sendable {
        public let token: String
        public let expiration: Date?
    }

    public let apiVersion: String
    public let command: String
    public let arguments: [String]
    public let environment: [String: String]
    let installHint: String?
    /// `KUBERNETES_EXEC_INFO`: the request the plugin reads (with the cluster when `provideClusterInfo`).
    let execInfo: String
    static let timeout: Duration = .seconds(60)

    init(_ exec: JSONValue, folder: String, server: String, cluster: JSONValue) throws {
        guard let command = exec["command"]?.stringValue, !command.isEmpty else {
            throw ConfigurationError("kubeconfig exec plugin has no command")
        }
        apiVersion = exec["apiVersion"]?.stringValue ?? "client.authentication.k8s.io/v1"
        guard ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"].contains(apiVersion) else {
            throw ConfigurationError("kubeconfig exec plugin apiVersion \(apiVersion) is not supported (use client.authentication.k8s.io/v1)")
        }
        // As kubectl: a command with a slash but not absolute is relative to the kubeconfig's folder;
        // a bare name is looked up on PATH.
        self.command = command.contains("/") && !command.hasPrefix("/") ? (folder as NSString).appendingPathComponent(command) : command
        arguments = exec["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var environment: [String: String] = [:]
        for entry in exec["env"]?.arrayValue ?? [] {
            if let name = entry["name"]?.stringValue { environment[name] = entry["value"]?.stringValue ?? "" }
        }
        self.environment = environment
        installHint = exec["installHint"]?.stringValue
        var spec: [String: JSONValue] = ["interactive": .bool(false)]
        if exec["provideClusterInfo"]?.boolValue == true {
            var info: [String: JSONValue] = ["server": .string(server)]
            if let ca = cluster["certificate-authority-data"] { info["certificate-authority-data"] = ca }
            if let insecure = cluster["insecure-skip-tls-verify"] { info["insecure-skip-tls-verify"] = insecure }
            if let config = cluster["extensions"]?.arrayValue?.first(where: { $0["name"]?.stringValue == "client.authentication.k8s.io/exec" })?["extension"] {
                info["config"] = config
            }
            spec["cluster"] = .object(info)
        }
        execInfo = JSONValue.object(["apiVersion": .string(apiVersion), "kind": .string("ExecCredential"), "spec": .object(spec)]).serialized()
    }

    /// Runs the plugin once and reads its credential.
    public func run() async throws -> Credential {
        guard let executable = Self.resolve(command) else {
            throw ConfigurationError("exec credential plugin \(command) not found" + (installHint.map { ": \($0)" } ?? ""))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            .merging(["KUBERNETES_EXEC_INFO": execInfo]) { $1 }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let exited = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { exited.continuation.yield($0.terminationStatus); exited.continuation.finish() }
        try process.run()
        // Read while it runs: a plugin that prints more than a pipe holds would otherwise never exit.
        async let output = Task.detached { stdout.fileHandleForReading.readDataToEndOfFile() }.value
        async let errors = Task.detached { stderr.fileHandleForReading.readDataToEndOfFile() }.value
        let status = try await withThrowingTaskGroup(of: Int32?.self) { group in
            group.addTask { await exited.stream.first { _ in true } }
            group.addTask { try await Task.sleep(for: Self.timeout); return nil }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let status = first else {
                process.terminate()
                throw ConfigurationError("exec credential plugin \(command) did not finish within \(Self.timeout)")
            }
            return status
        }
        let (out, err) = await (output, errors)
        guard status == 0 else {
            let message = String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ConfigurationError("exec credential plugin \(command) exited with \(status): \(message.prefix(500))")
        }
        return try Self.credential(from: Array(out), command: command)
    }

    static func credential(from output: [UInt8], command: String) throws -> Credential {
        guard let json = try? JSONValue.parse(output), json["kind"]?.stringValue == "ExecCredential", let status = json["status"] else {
            throw ConfigurationError("exec credential plugin \(command) did not print an ExecCredential")
        }
        guard let token = status["token"]?.stringValue, !token.isEmpty else {
            throw ConfigurationError(status["clientCertificateData"] != nil
                ? "exec credential plugin \(command) returned a client certificate; only token credentials are supported"
                : "exec credential plugin \(command) returned no token")
        }
        var expiration: Date?
        if let stamp = status["expirationTimestamp"]?.stringValue {
            guard let date = RFC3339.date(from: stamp) else {
                throw ConfigurationError("exec credential plugin \(command): expirationTimestamp \(stamp) is not RFC 3339")
            }
            expiration = date
        }
        return Credential(token: token, expiration: expiration)
    }

    /// The executable path: as given when it contains a slash, else the first match on PATH.
    static func resolve(_ command: String) -> String? {
        let fm = FileManager.default
        if command.contains("/") { return fm.isExecutableFile(atPath: command) ? command : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(command)" }.first { fm.isExecutableFile(atPath: $0) }
    }
}
