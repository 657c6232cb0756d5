import Foundation
import Logging

/// Installs the process-wide log handler: `text` (one human-readable line) or `json` (one object per
/// line), at a level that `setLevel` can change while running (hot reload of `log.level`).
public enum LogSetup {
    private static let levelBox = LevelBox()

    public static func bootstrap(format: String, level: String, label: String) {
        levelBox.set(level)
        let json = format.lowercased() == "json"
        LoggingSystem.bootstrap { name in
            BrokkrLogHandler(label: name, json: json, levels: levelBox)
        }
    }

    /// Bootstraps logging from the settings and warns about configuration keys nothing reads.
    public static func bootstrap(_ settings: Settings, label: String) {
        bootstrap(format: settings.log.format, level: settings.log.level, label: label)
        let logger = Logger(label: label)
        for key in settings.unknownKeys {
            logger.warning("Unknown configuration key \(key): no setting reads it (misspelt, or not an option of this version)")
        }
    }

    public static func setLevel(_ level: String) { levelBox.set(level) }

    public static func parse(_ level: String) -> Logger.Level? {
        switch level.lowercased() {
        case "trace": return .trace
        case "debug": return .debug
        case "info": return .info
        case "warn", "warning": return .warning
        case "error": return .error
        case "off": return .critical
        default: return nil
        }
    }

    final class LevelBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Logger.Level = .info
        func set(_ name: String) { lock.withLock { value = LogSetup.parse(name) ?? .info } }
        var level: Logger.Level { lock.withLock { value } }
    }
}

struct BrokkrLogHandler: LogHandler {
    let label: String
    let json: Bool
    let levels: LogSetup.LevelBox
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    var logLevel: Logger.Level {
        get { levels.level }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String, function: String, line: UInt
    ) {
        var all = metadata
        if let extra { all.merge(extra) { _, new in new } }
        let time = RFC3339.string(from: Date())
        let text: String
        if json {
            var object: [String: JSONValue] = [
                "timestamp": .string(time), "level": .string(level.rawValue), "target": .string(label),
                "message": .string(message.description),
            ]
            for (k, v) in all { object[k] = .string(v.description) }
            text = JSONValue.object(object).serialized()
        } else {
            let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            text = "\(time) \(level.rawValue.uppercased()) \(label): \(message)\(meta)"
        }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
