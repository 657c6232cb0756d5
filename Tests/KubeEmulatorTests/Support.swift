import AsyncHTTPClient
import BrokkrCommon
import Foundation
import NIOCore
import Testing

@testable import KubeEmulator

/// Starts an emulator on an ephemeral port for the duration of `body`.
func withEmulator<T>(options: KubeCluster.Options = KubeCluster.Options(), _ body: (KubeEmulator) async throws -> T) async throws -> T {
    let emulator = try await KubeEmulator.start(host: "127.0.0.1", port: 0, options: options)
    do {
        let result = try await body(emulator)
        await emulator.shutdown()
        return result
    } catch {
        await emulator.shutdown()
        throw error
    }
}

struct CommandResult {
    var code: Int32
    var stdout: String
    var stderr: String
    var output: String { stdout + stderr }
}

/// Runs the real kubectl against an emulator, with its own kubeconfig and discovery cache.
final class Kubectl: Sendable {
    let emulator: KubeEmulator
    let dir: String

    init(_ emulator: KubeEmulator) throws {
        self.emulator = emulator
        dir = NSTemporaryDirectory() + "kube-emulator-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try emulator.writeKubeconfig(to: dir + "/kubeconfig")
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// Writes a file into the scratch folder and returns its path.
    func file(_ name: String, _ content: String) throws -> String {
        let path = dir + "/" + name
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @discardableResult
    func run(_ args: String...) async throws -> CommandResult { try await run(args) }

    func run(_ args: [String]) async throws -> CommandResult {
        let id = UUID().uuidString
        let out = dir + "/\(id).out"
        let err = dir + "/\(id).err"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/kubectl")
        process.arguments = ["--kubeconfig", dir + "/kubeconfig", "--cache-dir", dir + "/cache", "--request-timeout", "20s"] + args
        var env = ProcessInfo.processInfo.environment
        env["KUBECONFIG"] = dir + "/kubeconfig"
        env["HOME"] = dir
        process.environment = env
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        process.standardInput = FileHandle.nullDevice
        let code: Int32 = try await withCheckedThrowingContinuation { cont in
            process.terminationHandler = { p in cont.resume(returning: p.terminationStatus) }
            do { try process.run() } catch { cont.resume(throwing: error) }
        }
        let stdout = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        return CommandResult(code: code, stdout: stdout, stderr: stderr)
    }

    /// Runs kubectl and parses its standard output as JSON; fails the test if kubectl failed.
    func json(_ args: String...) async throws -> JSONValue {
        let r = try await run(args)
        #expect(r.code == 0, "kubectl \(args.joined(separator: " ")) failed: \(r.stderr)")
        return try JSONValue.parse(r.stdout)
    }
}

/// A small HTTP client for talking to the emulator as an API client would.
struct API {
    let baseURL: String
    let client: HTTPClient

    struct Reply {
        var status: Int
        var contentType: String
        var body: String
        var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
    }

    func request(
        _ method: String, _ path: String, body: String? = nil, contentType: String = "application/json",
        headers: [String: String] = [:]
    ) async throws -> Reply {
        var req = HTTPClientRequest(url: baseURL + path)
        req.method = .RAW(value: method)
        req.headers.add(name: "Authorization", value: "Bearer anything")
        for (k, v) in headers { req.headers.add(name: k, value: v) }
        if let body {
            req.headers.add(name: "Content-Type", value: contentType)
            req.body = .bytes(ByteBuffer(string: body))
        }
        let resp = try await client.execute(req, timeout: .seconds(30))
        let buf = try await resp.body.collect(upTo: 64 << 20)
        return Reply(
            status: Int(resp.status.code), contentType: resp.headers.first(name: "content-type") ?? "",
            body: String(buffer: buf))
    }

    func get(_ path: String) async throws -> Reply { try await request("GET", path) }
    func post(_ path: String, _ body: JSONValue) async throws -> Reply { try await request("POST", path, body: body.kubeSerialized()) }
    func put(_ path: String, _ body: JSONValue) async throws -> Reply { try await request("PUT", path, body: body.kubeSerialized()) }
    func delete(_ path: String, _ body: JSONValue? = nil) async throws -> Reply {
        try await request("DELETE", path, body: body?.kubeSerialized())
    }
    func patch(_ path: String, _ body: JSONValue, type: String = "application/merge-patch+json") async throws -> Reply {
        try await request("PATCH", path, body: body.kubeSerialized(), contentType: type)
    }
    func apply(_ path: String, _ body: String, manager: String? = "test", force: Bool = false, dryRun: Bool = false) async throws -> Reply {
        var q: [String] = []
        if let manager { q.append("fieldManager=\(manager)") }
        if force { q.append("force=true") }
        if dryRun { q.append("dryRun=All") }
        return try await request(
            "PATCH", path + (q.isEmpty ? "" : "?" + q.joined(separator: "&")), body: body,
            contentType: "application/apply-patch+yaml")
    }
}

/// Starts an emulator and an HTTP client for the duration of `body`.
func withAPI<T>(options: KubeCluster.Options = KubeCluster.Options(), _ body: (API, KubeEmulator) async throws -> T) async throws -> T {
    try await withEmulator(options: options) { emulator in
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let r = try await body(API(baseURL: emulator.baseURL, client: client), emulator)
            try await client.shutdown()
            return r
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

let namespaceYAML = """
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
    """

/// A DaemonSet `agent` in `default` whose selector and pod labels are `app: <app>`.
func daemonSetYAML(app: String = "agent") -> String {
    """
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: agent
      namespace: default
    spec:
      selector:
        matchLabels:
          app: \(app)
      template:
        metadata:
          labels:
            app: \(app)
        spec:
          containers:
          - name: agent
            image: agent:1
    """
}

func deploymentYAML(replicas: Int = 2, image: String = "nginx:1.25", namespace: String = "shop", name: String = "web") -> String {
    """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: \(name)
      namespace: \(namespace)
      labels:
        app: \(name)
    spec:
      replicas: \(replicas)
      selector:
        matchLabels:
          app: \(name)
      template:
        metadata:
          labels:
            app: \(name)
            brokkr.io/deployment-object-id: 11111111-2222-3333-4444-555555555555
        spec:
          containers:
          - name: app
            image: \(image)
            ports:
            - containerPort: 8080
            env:
            - name: MODE
              value: production
    """
}

let serviceYAML = """
    apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: shop
    spec:
      selector:
        app: web
      ports:
      - port: 80
        targetPort: 8080
    """

let configMapYAML = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: web-config
      namespace: shop
    data:
      greeting: hello
    """

let appManifest = [namespaceYAML, deploymentYAML(), serviceYAML, configMapYAML].joined(separator: "\n---\n")

let shipwrightCRDs = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: builds.shipwright.io
    spec:
      group: shipwright.io
      names:
        kind: Build
        listKind: BuildList
        plural: builds
        singular: build
        shortNames: [bd]
      scope: Namespaced
      versions:
      - name: v1beta1
        served: true
        storage: true
        subresources:
          status: {}
        additionalPrinterColumns:
        - name: Registered
          jsonPath: .status.registered
          type: string
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec:
                type: object
                x-kubernetes-preserve-unknown-fields: true
              status:
                type: object
                x-kubernetes-preserve-unknown-fields: true
    ---
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: buildruns.shipwright.io
    spec:
      group: shipwright.io
      names:
        kind: BuildRun
        listKind: BuildRunList
        plural: buildruns
        singular: buildrun
        shortNames: [br, brs]
      scope: Namespaced
      versions:
      - name: v1beta1
        served: true
        storage: true
        subresources:
          status: {}
        additionalPrinterColumns:
        - name: Succeeded
          jsonPath: .status.conditions[?(@.type=="Succeeded")].status
          type: string
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec:
                type: object
                x-kubernetes-preserve-unknown-fields: true
              status:
                type: object
                x-kubernetes-preserve-unknown-fields: true
    """
