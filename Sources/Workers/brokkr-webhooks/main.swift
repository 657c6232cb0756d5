import ArgumentParser
import BrokkrWorkers

@main
struct Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brokkr-webhooks",
        abstract: "Webhook delivery worker: recovers deliveries whose claimer died (delivery sending arrives with the webhooks issue).",
        discussion: "Claims its rows with FOR UPDATE SKIP LOCKED: run as many copies as needed. Health and metrics on workers.health_port (BROKKR__WORKERS__HEALTH_PORT).")
    @OptionGroup var options: WorkerOptions

    func run() async throws {
        try await WorkerRuntime.run(executable: "brokkr-webhooks", sweeps: [WebhookLeaseRecoverySweep()], configFile: options.config, once: options.once)
    }
}
