import ArgumentParser
import BrokkrWorkers

@main
struct Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brokkr-cleanup",
        abstract: "Periodic cleanup: expires overdue diagnostics, deletes old diagnostics and finished webhook deliveries.",
        discussion:
            "Claims its rows with FOR UPDATE SKIP LOCKED: run as many copies as needed. Health and metrics on workers.health_port (BROKKR__WORKERS__HEALTH_PORT)."
    )
    @OptionGroup var options: WorkerOptions

    func run() async throws {
        try await WorkerRuntime.run(executable: "brokkr-cleanup", options: options, sweeps: [CleanupSweep()])
    }
}
