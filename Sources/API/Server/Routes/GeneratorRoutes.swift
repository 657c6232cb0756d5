import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// /generators: CI/CD identities that own stacks.
enum GeneratorRoutes {
    static let generatorNotFound = APIError(.generatorNotFound, "Generator not found")

    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.get, "generators", .admin(), failure: "Failed to fetch generators") { _, _, _ in
            try JSONResponse.encode(try await s.generators.list())
        }

        api.add(.post, "generators", .admin(), failure: "Failed to create generator") { request, _, principal in
            let new = try await request.decode(as: NewGenerator.self)
            let key = s.pakGenerator.generate()
            let generator = try await s.transaction { tx -> Generator in
                let generator = try await GeneratorStore(sql: tx).create(name: new.name, description: new.description, pakHash: key.hash)
                try await s.audit(
                    tx, principal, "generator.created", resourceType: "generator", resourceID: generator.id,
                    details: .object(["name": .string(new.name)]), request: request)
                try await s.audit(tx, principal, "pak.created", resourceType: "generator", resourceID: generator.id, request: request)
                return generator
            }
            return try JSONResponse.encode(CreateGeneratorResponse(generator: generator, pak: key.pak), status: .created)
        }

        api.add(.get, "generators/:id", .adminOrGeneratorSelf(), failure: "Failed to fetch generator") { _, context, _ in
            guard let generator = try await s.generators.get(try context.uuid("id")) else { throw generatorNotFound }
            return try JSONResponse.encode(generator)
        }

        api.add(.put, "generators/:id", .adminOrGeneratorSelf(), failure: "Failed to update generator") { request, context, principal in
            let id = try context.uuid("id")
            let update = try await request.decode(as: UpdateGeneratorRequest.self)
            if let bodyID = update.id, bodyID != id { throw APIError(.invalidGenerator, "Generator ID mismatch") }
            let generator = try await s.transaction { tx -> Generator in
                guard let generator = try await GeneratorStore(sql: tx).update(id, name: update.name, description: update.description) else {
                    throw generatorNotFound
                }
                try await s.audit(
                    tx, principal, "generator.updated", resourceType: "generator", resourceID: id,
                    details: .object(["name": .string(update.name)]), request: request)
                return generator
            }
            return try JSONResponse.encode(generator)
        }

        api.add(.delete, "generators/:id", .adminOrGeneratorSelf(), failure: "Failed to delete generator") { request, context, principal in
            let id = try context.uuid("id")
            let oldHash = try await s.transaction { tx -> String? in
                let result = try await GeneratorStore(sql: tx).softDelete(id)
                guard result.found else { throw generatorNotFound }
                try await ResourceEvents.stacksDeleted(tx)
                try await s.audit(tx, principal, "generator.deleted", resourceType: "generator", resourceID: id, request: request)
                try await s.audit(tx, principal, "pak.deleted", resourceType: "generator", resourceID: id, request: request)
                return result.oldHash
            }
            s.authCache.evict(oldHash)
            s.authCache.evict(principal: .generator(id))
            return JSONResponse.empty(.noContent)
        }

        api.add(.post, "generators/:id/rotate-pak", .adminOrGeneratorSelf(), failure: "Failed to rotate generator PAK") {
            request, context, principal in
            let id = try context.uuid("id")
            let key = s.pakGenerator.generate()
            let (oldHash, generator) = try await s.transaction { tx in
                guard let rotated = try await GeneratorStore(sql: tx).rotateKey(id, newHash: key.hash) else {
                    throw generatorNotFound
                }
                try await s.audit(tx, principal, "pak.rotated", resourceType: "generator", resourceID: id, request: request)
                return rotated
            }
            s.authCache.evict(oldHash)
            return try JSONResponse.encode(CreateGeneratorResponse(generator: generator, pak: key.pak), status: .created)
        }
    }
}
