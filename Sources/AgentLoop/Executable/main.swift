import ArgumentParser
import BrokkrAgent
import BrokkrCommon
import Logging

@main
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brokkr-agent",
        abstract: "Brokkr agent: pulls its target state from the broker and reconciles its cluster.",
        discussion: "Configure with BROKKR__AGENT__BROKER_URL, BROKKR__AGENT__PAK, BROKKR__AGENT__AGENT_NAME, BROKKR__AGENT__CLUSTER_NAME, BROKKR__AGENT__HEALTH_PORT, or a TOML file.",
        version: BrokkrVersion.current,
        subcommands: [Start.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the agent.")
        @Option(name: .long, help: "Path of a TOML config file (default: $BROKKR_CONFIG_FILE).") var config: String?

        func run() async throws {
            let settings: Settings
            do { settings = try Settings.load(file: config) } catch { throw ValidationError("configuration error: \(error)") }
            LogSetup.bootstrap(format: settings.log.format, level: settings.log.level, label: "brokkr-agent")
            try await AgentRunner.run(settings: settings, logger: Logger(label: "brokkr-agent"))
        }
    }
}
