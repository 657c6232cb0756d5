import BrokkrCommon
import BrokkrQueue
import Foundation
import Logging

/// Start-up work of `brokkr-api serve`: migrations, then first-start admin provisioning.
public enum Bootstrap {
    /// The outcome of first-start provisioning: the admin PAK when one was generated.
    public struct Result: Sendable {
        public let firstStart: Bool
        public let adminPAK: String?
    }

    public static func prepare(_ database: Database, settings: Settings, logger: Logger) async throws -> Result {
        try await Migrator.migrate(database)
        let generator = PAKGenerator(settings: settings.pak)
        return try await database.withTransaction { tx in
            let store = AdminStore(sql: tx)
            guard try await store.markInitialized() else {
                logger.info("Existing application detected. Proceeding with normal startup.")
                return Result(firstStart: false, adminPAK: nil)
            }
            logger.info("First time application startup detected. Creating admin role...")
            let pak = try await installAdminKey(store, settings: settings, generator: generator)
            return Result(firstStart: true, adminPAK: pak)
        }
    }

    /// Installs the configured admin hash, or generates a new admin PAK and returns it.
    static func installAdminKey(_ store: AdminStore, settings: Settings, generator: PAKGenerator) async throws -> String? {
        if let hash = settings.broker.pakHash {
            try await store.upsertAdmin(hash: hash)
            return nil
        }
        let key = generator.generate()
        try await store.upsertAdmin(hash: key.hash)
        return key.pak
    }

    /// `rotate admin`: a new admin key (or the configured hash), returned to print once.
    public static func rotateAdmin(_ database: Database, settings: Settings, logger: Logger) async throws -> String? {
        try await database.withTransaction { tx in
            try await installAdminKey(
                AdminStore(sql: tx),
                settings: settings, generator: PAKGenerator(settings: settings.pak))
        }
    }

    /// Writes the admin PAK where the original does (`<tmp>/brokkr-keys/key.txt`, mode 0600).
    public static func writeKeyFile(_ pak: String) throws -> String {
        let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("brokkr-keys")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = (dir as NSString).appendingPathComponent("key.txt")
        FileManager.default.createFile(atPath: path, contents: Data(pak.utf8), attributes: [.posixPermissions: 0o600])
        return path
    }
}
