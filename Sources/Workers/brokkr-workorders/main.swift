import ArgumentParser
import BrokkrWorkers

@main
struct Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brokkr-workorders",
        abstract:
            "Work-order maintenance: returns orders to PENDING when their retry back-off ends, releases stale claims, and expires stale claims with no retries left.",
        discussion:
            "Claims its rows with FOR UPDATE SKIP LOCKED: run as many copies as needed. Health and metrics on workers.health_port (BROKKR__WORKERS__HEALTH_PORT)."
    )
    @OptionGroup var options: WorkerOptions

    func run() async throws {
        try await WorkerRuntime.run(executable: "brokkr-workorders", options: options, sweeps: [WorkOrderMaintenanceSweep()])
    }
}
