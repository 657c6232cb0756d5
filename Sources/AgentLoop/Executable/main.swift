import ArgumentParser
import BrokkrAgent
import BrokkrCommon
import BrokkrRuntime
import Logging

@main
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brokkr-agent",
        abstract: "Brokkr agent: pulls its target state from the broker and reconciles its cluster.",
        discussion:
            "Configure with BROKKR__AGENT__BROKER_URL, BROKKR__AGENT__PAK, BROKKR__AGENT__AGENT_NAME, BROKKR__AGENT__CLUSTER_NAME, BROKKR__AGENT__HEALTH_PORT, or a TOML file.",
        version: BrokkrVersion.current,
        subcommands: [Start.self, Apply.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the agent.")
        @OptionGroup var options: ConfigOptions
        @Option(name: .long, help: "The kubeconfig context to use (default: agent.kube_context, else the file's current-context).") var context:
            String?

        func run() async throws {
            let (settings, logger) = try options.load(label: "brokkr-agent") { settings in
                if let context { settings.agent.kubeContext = context }
            }
            try await AgentRunner.run(settings: settings, logger: logger)
        }
    }

    /// Reconciles a YAML file into a cluster exactly as the agent does for a deployment object, without a
    /// broker: for trying manifests, and for the apply benchmark.
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reconcile a multi-document YAML file into the cluster as one stack (apply, then prune the stack's other objects).")
        @Option(name: .long, help: "Kubernetes API server URL (default: agent.kubeconfig_path or in-cluster).") var server: String?
        @OptionGroup var options: ConfigOptions
        @Option(name: .long, help: "The kubeconfig context to use (default: agent.kube_context, else the file's current-context).") var context:
            String?
        @Option(name: .long, help: "Stack id the objects are labelled with.") var stackId: String = "local"
        @Option(name: [.short, .long], help: "The YAML file.") var file: String

        func run() async throws {
            let (settings, logger) = try options.load(label: "brokkr-agent")
            guard let yaml = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("cannot read \(file)") }
            let kube =
                try server.map { KubeClient(server: $0) }
                ?? KubeConfig.load(kubeconfigPath: settings.agent.kubeconfigPath, context: context ?? settings.agent.kubeContext).makeClient()
            let object = try Reconciler.DeploymentObject(
                json: .object([
                    "id": .string("local-\(Checksum.sha256Hex(yaml).prefix(12))"), "stack_id": .string(stackId),
                    "yaml_content": .string(yaml), "yaml_checksum": .string(Checksum.sha256Hex(yaml)),
                ]))
            let start = ContinuousClock.now
            try await Reconciler(kube: kube, agentID: "local", logger: logger, concurrency: settings.agent.applyConcurrency)
                .reconcile(object)
            print("reconciled \(file) in \(ContinuousClock.now - start)")
        }
    }
}
