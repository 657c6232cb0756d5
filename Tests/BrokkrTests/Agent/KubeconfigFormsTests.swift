import BrokkrCommon
import Foundation
import KubeEmulator
import XCTest

@testable import BrokkrAgent

/// Every kubeconfig form the agent accepts, against the emulator serving HTTPS with client-certificate
/// and token authentication, as kind, k3s, EKS, GKE and AKS clusters are reached. The same kubeconfigs
/// are checked with the real kubectl, so the emulator's TLS and authentication are what a real client
/// expects.
final class KubeconfigFormsTests: XCTestCase {
    static let token = "s3cret-token"

    /// An emulator over TLS with its PKI, and a folder for kubeconfigs.
    struct Setup {
        let pki: TestPKI
        let emulator: KubeEmulator

        /// Writes a kubeconfig whose current context is `current` (its cluster and user as given).
        func kubeconfig(
            _ name: String, cluster: String, user: String, current: String = "main", namespace: String? = nil,
            extraContexts: String = ""
        ) throws -> String {
            let path = pki.dir + "/\(name).kubeconfig"
            try """
            apiVersion: v1
            kind: Config
            current-context: \(current)
            clusters:
            - name: main
              cluster:
                server: \(emulator.baseURL)
                \(cluster.indented(4))
            - name: nowhere
              cluster:
                server: https://127.0.0.1:9
            users:
            - name: main
              user:
                \(user.indented(4))
            contexts:
            - name: main
              context:
                cluster: main
                user: main
            \(namespace.map { "    namespace: \($0)" } ?? "")
            \(extraContexts)
            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        var caData: String { get throws { "certificate-authority-data: \(try pki.base64(pki.caCert))" } }
    }

    static func withTLSEmulator(_ body: (Setup) async throws -> Void) async throws {
        let pki = try TestPKI()
        let serving = KubeServing(
            tls: .init(certificateChainFile: pki.serverCert, privateKeyFile: pki.serverKey, clientCAFile: pki.caCert),
            tokens: [token])
        let emulator = try await KubeEmulator.start(host: "127.0.0.1", port: 0, serving: serving)
        do {
            try await body(Setup(pki: pki, emulator: emulator))
        } catch {
            await emulator.shutdown()
            throw error
        }
        await emulator.shutdown()
    }

    /// Lists namespaces through a client made from the kubeconfig: authenticated and TLS-verified.
    static func namespaces(_ kubeconfig: String, context: String? = nil) async throws -> [String] {
        let kube = try KubeConfig.load(kubeconfigPath: kubeconfig, context: context).makeClient()
        let resource = try await kube.resource(apiVersion: "v1", kind: "Namespace")
        return try await kube.list(resource, labelSelector: "").compactMap { $0["metadata"]?["name"]?.stringValue }
    }

    static func kubectl(_ kubeconfig: String, _ arguments: String...) throws -> (status: Int32, output: String) {
        try Command.run(
            [
                "kubectl", "--kubeconfig", kubeconfig, "--cache-dir", NSTemporaryDirectory() + "kubectl-cache-" + UUID().uuidString,
                "--request-timeout", "20s",
            ] + arguments)
    }

    func testInlineCAAndClientCertificate() async throws {
        try await Self.withTLSEmulator { s in
            let config = try s.kubeconfig(
                "inline", cluster: try s.caData,
                user: """
                    client-certificate-data: \(try s.pki.base64(s.pki.clientCert))
                    client-key-data: \(try s.pki.base64(s.pki.clientKey))
                    """)
            do {
                let v = try await Self.namespaces(config)
                XCTAssertTrue(v.contains("default"), "\(v)")
            }
            let kubectl = try Self.kubectl(config, "get", "namespaces", "-o", "name")
            XCTAssertEqual(kubectl.status, 0, kubectl.output)
            XCTAssertTrue(kubectl.output.contains("namespace/default"), kubectl.output)
        }
    }

    func testCAAndClientCertificateFilesRelativeToTheKubeconfig() async throws {
        try await Self.withTLSEmulator { s in
            let config = try s.kubeconfig(
                "files", cluster: "certificate-authority: ca.crt",
                user: """
                    client-certificate: client.crt
                    client-key: \(s.pki.clientKey)
                    """)
            do {
                let v = try await Self.namespaces(config)
                XCTAssertTrue(v.contains("default"), "\(v)")
            }
            let kubectl = try Self.kubectl(config, "get", "namespaces", "-o", "name")
            XCTAssertEqual(kubectl.status, 0, kubectl.output)
        }
    }

    func testTokenTokenFileAndInsecureSkipTLSVerify() async throws {
        try await Self.withTLSEmulator { s in
            let token = try s.kubeconfig("token", cluster: try s.caData, user: "token: \(Self.token)")
            do {
                let v = try await Self.namespaces(token)
                XCTAssertFalse(v.isEmpty)
            }
            XCTAssertEqual(try Self.kubectl(token, "get", "namespaces").status, 0)

            try "\(Self.token)\n".write(toFile: s.pki.dir + "/token", atomically: true, encoding: .utf8)
            let tokenFile = try s.kubeconfig("token-file", cluster: try s.caData, user: "tokenFile: token")
            do {
                let v = try await Self.namespaces(tokenFile)
                XCTAssertFalse(v.isEmpty)
            }
            XCTAssertEqual(try Self.kubectl(tokenFile, "get", "namespaces").status, 0)

            let insecure = try s.kubeconfig("insecure", cluster: "insecure-skip-tls-verify: true", user: "token: \(Self.token)")
            do {
                let v = try await Self.namespaces(insecure)
                XCTAssertFalse(v.isEmpty)
            }
        }
    }

    func testRefusals() async throws {
        try await Self.withTLSEmulator { s in
            // No credentials: 401, as an API server answers.
            let anonymous = try s.kubeconfig("anonymous", cluster: try s.caData, user: "{}")
            do {
                _ = try await Self.namespaces(anonymous)
                XCTFail("an unauthenticated request is refused")
            } catch let failure as KubeClient.Failure {
                XCTAssertEqual(failure.status, 401)
                XCTAssertEqual(failure.reason, "Unauthorized")
            }
            let wrongToken = try s.kubeconfig("wrong-token", cluster: try s.caData, user: "token: nope")
            do {
                _ = try await Self.namespaces(wrongToken)
                XCTFail("a wrong token is refused")
            } catch let failure as KubeClient.Failure {
                XCTAssertEqual(failure.status, 401)
            }
            let kubectl = try Self.kubectl(wrongToken, "get", "namespaces")
            XCTAssertNotEqual(kubectl.status, 0)
            XCTAssertTrue(kubectl.output.contains("You must be logged in to the server"), kubectl.output)
            // A server certificate from an unknown CA is not trusted without insecure-skip-tls-verify.
            let untrusted = try s.kubeconfig("untrusted", cluster: "", user: "token: \(Self.token)")
            do {
                _ = try await Self.namespaces(untrusted)
                XCTFail("the server's certificate is verified")
            } catch is KubeClient.Failure {
                XCTFail("fails in the TLS handshake, not with an HTTP status")
            } catch {}
            // A client certificate of another CA does not authenticate.
            let stranger = try s.kubeconfig(
                "stranger", cluster: try s.caData,
                user: """
                    client-certificate: stranger.crt
                    client-key: stranger.key
                    """)
            do {
                _ = try await Self.namespaces(stranger)
                XCTFail("a client certificate of another CA is refused")
            } catch {}
            XCTAssertNotEqual(try Self.kubectl(stranger, "get", "namespaces").status, 0)
            // A certificate without its key is a configuration error.
            let half = try s.kubeconfig("half", cluster: try s.caData, user: "client-certificate: client.crt")
            XCTAssertThrowsError(try KubeConfig.load(kubeconfigPath: half)) { XCTAssertTrue("\($0)".contains("client key"), "\($0)") }
        }
    }

    func testExecCredentialPluginIsCachedUntilItsExpiry() async throws {
        try await Self.withTLSEmulator { s in
            // The plugin logs each run and the request it was given, and answers a token valid for an hour.
            let plugin = s.pki.dir + "/bin/token-plugin"
            try FileManager.default.createDirectory(atPath: s.pki.dir + "/bin", withIntermediateDirectories: true)
            try """
            #!/bin/sh
            echo "$KUBERNETES_EXEC_INFO" >> "$(dirname "$0")/runs"
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}' "$1" "$EXPIRES"
            """.write(toFile: plugin, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: plugin)
            func exec(expires: String) -> String {
                """
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: ./bin/token-plugin
                  args: ["\(Self.token)"]
                  env: [{name: EXPIRES, value: "\(expires)"}]
                  provideClusterInfo: true
                  interactiveMode: Never
                """
            }
            func runs() -> [String] {
                ((try? String(contentsOfFile: s.pki.dir + "/bin/runs", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            }
            let later = RFC3339.string(from: Date().addingTimeInterval(3600))
            let cached = try s.kubeconfig("exec", cluster: try s.caData, user: exec(expires: later))
            let kube = try KubeConfig.load(kubeconfigPath: cached).makeClient()
            let resource = try await kube.resource(apiVersion: "v1", kind: "Namespace")
            _ = try await kube.list(resource, labelSelector: "")
            _ = try await kube.list(resource, labelSelector: "")
            XCTAssertEqual(runs().count, 1, "the token is reused until it expires")
            let info = try JSONValue.parse(Array(runs()[0].utf8))
            XCTAssertEqual(info["kind"], .string("ExecCredential"))
            XCTAssertEqual(info["spec"]?["interactive"], .bool(false))
            XCTAssertEqual(info["spec"]?["cluster"]?["server"]?.stringValue, s.emulator.baseURL, "provideClusterInfo passes the cluster")
            let kubectl = try Self.kubectl(cached, "get", "namespaces")
            XCTAssertEqual(kubectl.status, 0, "kubectl accepts the same plugin: \(kubectl.output)")

            // An expired credential is fetched again for the next request.
            try? FileManager.default.removeItem(atPath: s.pki.dir + "/bin/runs")
            let expired = try s.kubeconfig("exec-expired", cluster: try s.caData, user: exec(expires: "2020-01-01T00:00:00Z"))
            let again = try KubeConfig.load(kubeconfigPath: expired).makeClient()
            let namespaces = try await again.resource(apiVersion: "v1", kind: "Namespace")
            try? FileManager.default.removeItem(atPath: s.pki.dir + "/bin/runs")
            _ = try await again.list(namespaces, labelSelector: "")
            _ = try await again.list(namespaces, labelSelector: "")
            XCTAssertEqual(runs().count, 2, "each request gets a fresh token")

            let missing = try s.kubeconfig(
                "exec-missing", cluster: try s.caData,
                user: """
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: brokkr-no-such-plugin
                      installHint: install it from example.com
                    """)
            do {
                _ = try await Self.namespaces(missing)
                XCTFail("a missing plugin is an error")
            } catch {
                XCTAssertTrue("\(error)".contains("install it from example.com"), "\(error)")
            }
        }
    }

    func testContextOverrideAndTheContextNamespace() async throws {
        try await Self.withTLSEmulator { s in
            let config = try s.kubeconfig(
                "contexts", cluster: try s.caData, user: "token: \(Self.token)", current: "elsewhere",
                namespace: "team-a",
                extraContexts: """
                    - name: elsewhere
                      context: {cluster: nowhere, user: main}
                    """)
            XCTAssertEqual(try KubeConfig.load(kubeconfigPath: config).server, "https://127.0.0.1:9", "current-context by default")
            let chosen = try KubeConfig.load(kubeconfigPath: config, context: "main")
            XCTAssertEqual(chosen.server, s.emulator.baseURL)
            XCTAssertEqual(chosen.namespace, "team-a")
            XCTAssertThrowsError(try KubeConfig.load(kubeconfigPath: config, context: "absent")) {
                XCTAssertTrue("\($0)".contains("no context named absent"), "\($0)")
            }

            // Objects that name no namespace go to the context's namespace.
            let kube = try chosen.makeClient()
            try await kube.apply(
                .object(["apiVersion": .string("v1"), "kind": .string("Namespace"), "metadata": .object(["name": .string("team-a")])]),
                fieldManager: "test", force: true)
            try await kube.apply(
                .object(["apiVersion": .string("v1"), "kind": .string("ConfigMap"), "metadata": .object(["name": .string("cm")])]),
                fieldManager: "test", force: true)
            let placed = try await kube.get(
                .object([
                    "apiVersion": .string("v1"), "kind": .string("ConfigMap"),
                    "metadata": .object(["name": .string("cm"), "namespace": .string("team-a")]),
                ]))
            XCTAssertNotNil(placed)
            let kubectl = try Self.kubectl(config, "--context", "main", "get", "configmap", "cm", "-o", "name")
            XCTAssertEqual(kubectl.status, 0, "kubectl puts the context's namespace to the same use: \(kubectl.output)")
        }
    }
}

extension String {
    /// Every line after the first indented by `spaces` (for YAML blocks spliced into a template line
    /// that is already indented).
    fileprivate func indented(_ spaces: Int) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset == 0 ? String($0.element) : String(repeating: " ", count: spaces) + $0.element }.joined(separator: "\n")
    }
}
