import Foundation

/// The merged key/value view of defaults < config file < `BROKKR__SECTION__KEY` environment variables.
/// Keys are lower-case dotted paths (`broker.auth_cache_ttl_seconds`); typed getters convert and
/// report a clear error naming the key and where its value came from.
public struct ConfigSource: Sendable {
    enum Origin: Sendable { case defaults, file(String), environment(String) }

    struct Entry: Sendable {
        var value: TOMLDocument.Value
        var origin: Origin
    }

    private var entries: [String: Entry] = [:]
    /// The keys the settings asked for, so keys nobody reads (typos, removed options) can be reported.
    private let asked = AskedKeys()

    final class AskedKeys: @unchecked Sendable {
        private let lock = NSLock()
        private var keys = Set<String>()
        func insert(_ key: String) { _ = lock.withLock { keys.insert(key) } }
        var all: Set<String> { lock.withLock { keys } }
    }

    private func lookup(_ key: String) -> Entry? {
        asked.insert(key)
        return entries[key]
    }

    /// Keys set in the config file or the environment that no setting reads, each with where it came
    /// from ("broker.webhok_batch_size (from BROKKR__BROKER__WEBHOK_BATCH_SIZE)"). Meaningful after the
    /// settings were read from this source.
    public var unknownKeys: [String] {
        let asked = asked.all
        return entries.compactMap { key, entry -> String? in
            if case .defaults = entry.origin { return nil }
            return asked.contains(key) ? nil : describe(key)
        }.sorted()
    }

    /// Loads the three layers. `file` defaults to `BROKKR_CONFIG_FILE`.
    public static func load(file: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ConfigSource {
        var source = ConfigSource()
        let defaults = try! TOMLDocument(parsing: SettingsDefaults.toml)
        for (k, v) in defaults.values { source.entries[k] = Entry(value: v, origin: .defaults) }

        let path = file ?? environment["BROKKR_CONFIG_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        if let path {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError("cannot read config file \(path)")
            }
            do {
                let doc = try TOMLDocument(parsing: text)
                for (k, v) in doc.values { source.entries[k] = Entry(value: v, origin: .file(path)) }
            } catch let error as TOMLDocument.ParseError {
                throw ConfigurationError("invalid config file \(path): \(error)")
            }
        }
        for (name, value) in environment where name.hasPrefix("BROKKR__") {
            let parts = name.dropFirst("BROKKR__".count).components(separatedBy: "__").map { $0.lowercased() }
            guard parts.count >= 2, !parts.contains(where: \.isEmpty) else { continue }
            source.entries[parts.joined(separator: ".")] = Entry(value: .string(value), origin: .environment(name))
        }
        return source
    }

    private func describe(_ key: String) -> String {
        switch entries[key]?.origin {
        case .file(let path): return "\(key) (from \(path))"
        case .environment(let name): return "\(key) (from \(name))"
        default: return key
        }
    }

    public func has(_ key: String) -> Bool { lookup(key) != nil }

    public func string(_ key: String) throws -> String? {
        guard let entry = lookup(key) else { return nil }
        switch entry.value {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .float(let d): return String(d)
        case .bool(let b): return String(b)
        case .array: throw ConfigurationError("\(describe(key)) must be a string")
        }
    }

    public func string(_ key: String, default fallback: String) throws -> String { try string(key) ?? fallback }

    /// An optional string where the empty string means "not set".
    public func nonEmptyString(_ key: String) throws -> String? {
        guard let s = try string(key), !s.isEmpty else { return nil }
        return s
    }

    public func int(_ key: String, default fallback: Int) throws -> Int {
        guard let entry = lookup(key) else { return fallback }
        switch entry.value {
        case .integer(let i): return Int(i)
        case .string(let s):
            guard let i = Int(s.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError("\(describe(key)) must be an integer, got \"\(s)\"")
            }
            return i
        default: throw ConfigurationError("\(describe(key)) must be an integer")
        }
    }

    /// An integer that must be at least `minimum`.
    public func int(_ key: String, default fallback: Int, minimum: Int) throws -> Int {
        let value = try int(key, default: fallback)
        guard value >= minimum else { throw ConfigurationError("\(describe(key)) must be at least \(minimum), got \(value)") }
        return value
    }

    public func double(_ key: String, default fallback: Double) throws -> Double {
        guard let entry = lookup(key) else { return fallback }
        switch entry.value {
        case .float(let d): return d
        case .integer(let i): return Double(i)
        case .string(let s):
            guard let d = Double(s.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError("\(describe(key)) must be a number, got \"\(s)\"")
            }
            return d
        default: throw ConfigurationError("\(describe(key)) must be a number")
        }
    }

    public func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let entry = lookup(key) else { return fallback }
        switch entry.value {
        case .bool(let b): return b
        case .string(let s):
            switch s.lowercased().trimmingCharacters(in: .whitespaces) {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: throw ConfigurationError("\(describe(key)) must be true or false, got \"\(s)\"")
            }
        default: throw ConfigurationError("\(describe(key)) must be true or false")
        }
    }

    /// A list: a TOML array as is, or a comma-separated string with each piece trimmed (Brokkr's rule).
    public func list(_ key: String, default fallback: [String]) throws -> [String] {
        guard let entry = lookup(key) else { return fallback }
        switch entry.value {
        case .array(let items):
            return try items.map {
                guard case .string(let s) = $0 else { throw ConfigurationError("\(describe(key)) must be a list of strings") }
                return s
            }
        case .string(let s):
            return s.components(separatedBy: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        default: throw ConfigurationError("\(describe(key)) must be a list of strings")
        }
    }
}
