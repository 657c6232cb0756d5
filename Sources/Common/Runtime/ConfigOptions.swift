import ArgumentParser
import BrokkrCommon
import Logging

/// `--config`, taken by every executable; falls back to `$BROKKR_CONFIG_FILE`, then defaults and the
/// `BROKKR__SECTION__KEY` environment.
public struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Path of a TOML config file (default: $BROKKR_CONFIG_FILE).")
    public var config: String?

    public init() {}

    /// The settings, or a usage error naming what is wrong with them.
    public func settings() throws -> Settings {
        do { return try Settings.load(file: config) } catch {
            throw ValidationError("configuration error: \(error)")
        }
    }

    /// The settings, with logging bootstrapped from them and a logger labelled `label`.
    public func load(label: String, adjust: (inout Settings) -> Void = { _ in }) throws -> (Settings, Logger) {
        var settings = try settings()
        adjust(&settings)
        LogSetup.bootstrap(settings, label: label)
        return (settings, Logger(label: label))
    }
}
