import BrokkrCommon
import BrokkrQueue
import Foundation

/// Every change to a generator, with its audit entries, the events of the stacks its deletion takes
/// with it, and key-cache evictions, whichever path makes it (the API or the command line).
struct GeneratorService {
    let s: BrokerServices

    static let notFound = APIError(.generatorNotFound, "Generator not found")

    func create(name: String, description: String?, by actor: ChangeActor) async throws -> (generator: Generator, pak: String) {
        let key = s.pakGenerator.generate()
        let generator = try await s.change(by: actor) { change in
            let generator = try await GeneratorStore(sql: change.tx).create(name: name, description: description, pakHash: key.hash)
            try await change.audit("generator.created", "generator", generator.id, details: .object(["name": .string(name)]))
            try await change.audit("pak.created", "generator", generator.id)
            return generator
        }
        return (generator, key.pak)
    }

    func update(_ id: UUID, name: String, description: String?, by actor: ChangeActor) async throws -> Generator {
        try await s.change(by: actor) { change in
            guard let generator = try await GeneratorStore(sql: change.tx).update(id, name: name, description: description) else {
                throw Self.notFound
            }
            try await change.audit("generator.updated", "generator", id, details: .object(["name": .string(name)]))
            return generator
        }
    }

    /// Soft-deletes the generator; the database cascades to its stacks and their objects, whose
    /// `stack.deleted` and `deployment.deleted` events go out with it.
    func delete(_ id: UUID, by actor: ChangeActor) async throws {
        let oldHash = try await s.change(by: actor) { change -> String? in
            let result = try await GeneratorStore(sql: change.tx).softDelete(id)
            guard result.found else { throw Self.notFound }
            try await CascadeEvents.stacksDeleted(change)
            try await change.audit("generator.deleted", "generator", id)
            try await change.audit("pak.deleted", "generator", id)
            return result.oldHash
        }
        s.authCache.evict(oldHash)
        s.authCache.evict(principal: .generator(id))
    }

    func rotateKey(_ id: UUID, by actor: ChangeActor) async throws -> (generator: Generator, pak: String) {
        let (generator, pak) = try await s.rotateKey(by: actor) { change, newHash in
            guard let rotated = try await GeneratorStore(sql: change.tx).rotateKey(id, newHash: newHash) else { throw Self.notFound }
            try await change.audit("pak.rotated", "generator", id)
            return (rotated.oldHash, rotated.generator)
        }
        return (generator, pak)
    }
}
