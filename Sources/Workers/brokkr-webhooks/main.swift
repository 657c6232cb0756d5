import ArgumentParser
import BrokkrWorkers

@main
struct Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brokkr-webhooks",
        abstract:
            "Webhook delivery worker: sends broker-delivered webhook deliveries (signed, with retries and back-off) and recovers deliveries whose claimer died.",
        discussion: """
            Claims its rows with FOR UPDATE SKIP LOCKED: run as many copies as needed. Needs the same \
            broker.webhook_encryption_key (BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY) as brokkr-api. Batch size: \
            broker.webhook_delivery_batch_size; lease: workers.lease_seconds (extended to a subscription's timeout + 5 s). \
            Health and metrics on workers.health_port (BROKKR__WORKERS__HEALTH_PORT).
            """)
    @OptionGroup var options: WorkerOptions

    func run() async throws {
        try await WorkerRuntime.run(executable: "brokkr-webhooks", options: options) { settings, logger in
            [WebhookLeaseRecoverySweep(), try WebhookDeliverySweep(settings: settings, logger: logger)]
        }
    }
}
