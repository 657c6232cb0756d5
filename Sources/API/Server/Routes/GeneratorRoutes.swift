import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// /generators: CI/CD identities that own stacks.
enum GeneratorRoutes {
    static let generatorNotFound = GeneratorService.notFound

    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.get, "generators", .admin(), failure: "Failed to fetch generators") { _, _, _ in
            try JSONResponse.encode(try await s.generators.list())
        }

        api.add(.post, "generators", .admin(), failure: "Failed to create generator") { request, _, principal in
            let new = try await request.decode(as: NewGenerator.self)
            let created = try await GeneratorService(s: s).create(name: new.name, description: new.description, by: ChangeActor(principal, request))
            return try JSONResponse.encode(CreateGeneratorResponse(generator: created.generator, pak: created.pak), status: .created)
        }

        api.add(.get, "generators/:id", .adminOrGeneratorSelf(), failure: "Failed to fetch generator") { _, context, _ in
            guard let generator = try await s.generators.get(try context.uuid("id")) else { throw generatorNotFound }
            return try JSONResponse.encode(generator)
        }

        api.add(.put, "generators/:id", .adminOrGeneratorSelf(), failure: "Failed to update generator") { request, context, principal in
            let id = try context.uuid("id")
            let update = try await request.decode(as: UpdateGeneratorRequest.self)
            if let bodyID = update.id, bodyID != id { throw APIError(.invalidGenerator, "Generator ID mismatch") }
            let generator = try await GeneratorService(s: s).update(
                id, name: update.name, description: update.description, by: ChangeActor(principal, request))
            return try JSONResponse.encode(generator)
        }

        api.add(.delete, "generators/:id", .adminOrGeneratorSelf(), failure: "Failed to delete generator") { request, context, principal in
            try await GeneratorService(s: s).delete(try context.uuid("id"), by: ChangeActor(principal, request))
            return JSONResponse.empty(.noContent)
        }

        api.add(.post, "generators/:id/rotate-pak", .adminOrGeneratorSelf(), failure: "Failed to rotate generator PAK") {
            request, context, principal in
            let rotated = try await GeneratorService(s: s).rotateKey(try context.uuid("id"), by: ChangeActor(principal, request))
            return try JSONResponse.encode(CreateGeneratorResponse(generator: rotated.generator, pak: rotated.pak), status: .created)
        }
    }
}
