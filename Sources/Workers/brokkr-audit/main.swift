import ArgumentParser
import BrokkrWorkers

@main
struct Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brokkr-audit",
        abstract: "Moves audit entries from the transactional outbox into the audit log in batches, and enforces audit_log_retention_days.",
        discussion:
            "Claims its rows with FOR UPDATE SKIP LOCKED: run as many copies as needed. Health and metrics on workers.health_port (BROKKR__WORKERS__HEALTH_PORT)."
    )
    @OptionGroup var options: WorkerOptions

    func run() async throws {
        try await WorkerRuntime.run(executable: "brokkr-audit", options: options, sweeps: [AuditBatchSweep(), AuditRetentionSweep()])
    }
}
