import ArgumentParser
import Foundation
import KubeEmulator
import Logging
import ServiceLifecycle

@main
struct BrokkrKubeEmulator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brokkr-kube-emulator",
        abstract:
            "An in-memory Kubernetes API server emulator for testing Brokkr agents and kubectl: plain HTTP without authentication, or HTTPS with client-certificate and token authentication."
    )

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free port).")
    var port: Int = 8001

    @Option(help: "Write a kubeconfig pointing at the emulator to this path.")
    var kubeconfig: String?

    @Flag(help: "Leave new pods Pending (ContainerCreating) instead of Running/Ready.")
    var noAutoRunPods = false

    @Flag(help: "Have the emulated controllers record Events (Scheduled, Started, SuccessfulCreate, ...).")
    var generateEvents = false

    @Option(help: "Server log level (trace, debug, info, notice, warning, error, critical).")
    var logLevel: String = "info"

    @Option(help: "Seconds a deleted namespace stays Terminating before its contents go (0: at once).")
    var namespaceDeletionDelay: Double = 0.5

    @Option(help: "Milliseconds to wait before answering each API request (simulates a remote API server).")
    var latency: Double = 0

    @Option(help: "Seconds a new CRD takes to become Established; its kinds answer 404 until then (0: at once).")
    var crdEstablishDelay: Double = 0

    @Option(help: "Version reported by /version.")
    var serverVersion: String = "v1.32.4"

    @Option(help: "Serve HTTPS with this PEM certificate (chain); needs --tls-private-key-file.")
    var tlsCertFile: String?

    @Option(help: "The PEM private key of --tls-cert-file.")
    var tlsPrivateKeyFile: String?

    @Option(help: "Authenticate clients presenting a certificate signed by this PEM CA (HTTPS only).")
    var clientCaFile: String?

    @Option(help: "A bearer token that authenticates (repeatable). With tokens or a client CA, other requests get 401.")
    var token: [String] = []

    func validate() throws {
        if (tlsCertFile == nil) != (tlsPrivateKeyFile == nil) { throw ValidationError("--tls-cert-file and --tls-private-key-file go together") }
        if clientCaFile != nil, tlsCertFile == nil { throw ValidationError("--client-ca-file needs --tls-cert-file") }
    }

    func run() async throws {
        var options = KubeCluster.Options()
        options.autoRunPods = !noAutoRunPods
        options.generateEvents = generateEvents
        options.gitVersion = serverVersion
        options.namespaceDeletionDelay = namespaceDeletionDelay
        options.latency = latency / 1000
        options.crdEstablishDelay = crdEstablishDelay
        var serving = KubeServing(tokens: Set(token))
        if let tlsCertFile, let tlsPrivateKeyFile {
            serving.tls = .init(certificateChainFile: tlsCertFile, privateKeyFile: tlsPrivateKeyFile, clientCAFile: clientCaFile)
        }
        let emulator = try await KubeEmulator.start(host: host, port: port, options: options, serving: serving, logLevel: logLevel)
        if let kubeconfig {
            try emulator.writeKubeconfig(to: kubeconfig)
        }
        FileHandle.standardOutput.write(Data("brokkr-kube-emulator listening on \(emulator.baseURL)\n".utf8))
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: EmulatorService(emulator: emulator))], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: Logger(label: "brokkr-kube-emulator")))
        try await group.run()
    }
}

/// The running emulator until SIGTERM or SIGINT, which close it (exit status 0), or until it stops.
struct EmulatorService: Service {
    let emulator: KubeEmulator

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await emulator.wait() }
            group.addTask { try await gracefulShutdown() }
            defer { group.cancelAll() }
            try await group.next()
            await emulator.shutdown()
        }
    }
}
