import BrokkrCommon
import Foundation
import NIOConcurrencyHelpers

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
            if let config = cluster["extensions"]?.arrayValue?.first(where: { $0["name"]?.stringValue == "client.authentication.k8s.io/exec" })?[
                "extension"]
            {
                info["config"] = config
            }
            spec["cluster"] = .object(info)
        }
        execInfo = JSONValue.object(["apiVersion": .string(apiVersion), "kind": .string("ExecCredential"), "spec": .object(spec)]).serialized()
    }

    /// Runs the plugin once and reads its credential. The process runs and its pipes are read on a
    /// Dispatch thread, not on Swift's cooperative pool, so a slow or stuck plugin never starves the
    /// agent's other tasks; after `timeout` it is killed and the call fails.
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
        let command = self.command
        let (output, errors, status) = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<(Data, Data, Int32), any Error>) in
            let once = NIOLockedValueBox(false)
            @Sendable func finish(_ result: Result<(Data, Data, Int32), any Error>) {
                if once.withLockedValue({ done in
                    defer { done = true }
                    return !done
                }) {
                    continuation.resume(with: result)
                }
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(Self.timeout.components.seconds))) {
                guard process.isRunning else { return }
                kill(process.processIdentifier, SIGKILL)
                finish(.failure(ConfigurationError("exec credential plugin \(command) did not finish within \(Self.timeout)")))
            }
            DispatchQueue.global().async {
                do {
                    try process.run()
                } catch {
                    return finish(.failure(error))
                }
                // Both pipes are drained at once: a plugin that fills one would otherwise never exit.
                let errorData = NIOLockedValueBox(Data())
                let readErrors = DispatchGroup()
                DispatchQueue.global().async(group: readErrors) {
                    errorData.withLockedValue { $0 = stderr.fileHandleForReading.readDataToEndOfFile() }
                }
                let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
                readErrors.wait()
                process.waitUntilExit()
                finish(.success((outputData, errorData.withLockedValue { $0 }, process.terminationStatus)))
            }
        }
        guard status == 0 else {
            let message = String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ConfigurationError("exec credential plugin \(command) exited with \(status): \(message.prefix(500))")
        }
        return try Self.credential(from: Array(output), command: command)
    }

    static func credential(from output: [UInt8], command: String) throws -> Credential {
        guard let json = try? JSONValue.parse(output), json["kind"]?.stringValue == "ExecCredential", let status = json["status"] else {
            throw ConfigurationError("exec credential plugin \(command) did not print an ExecCredential")
        }
        guard let token = status["token"]?.stringValue, !token.isEmpty else {
            throw ConfigurationError(
                status["clientCertificateData"] != nil
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
