import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// /generators: CI/CD identities that own stacks.
enum GeneratorRoutes {
    static let generatorNotFound = APIError(.generatorNotFound, "Generator not found")

    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.get, "generators", .admin(), failure: "Failed to fetch generators") { _, _, _ in
            JSONResponse.raw(try await s.generators.listJSON())
        }

        api.add(.post, "generators", .admin(), failure: "Failed to create generator") { request, _, principal in
            let body = try await RequestBody.read(request)
            let name = try body.requiredString("name"), description = try body.optionalString("description")
            if let problem = FieldRules.name(name, field: "Generator name") { throw APIError(.invalidGenerator, problem) }
            let key = s.pakGenerator.generate()
            let json = try await s.transaction { tx -> String in
                let (id, json) = try await GeneratorStore(sql: tx).create(name: name, description: description, pakHash: key.hash)
                try await s.audit(tx, principal, "generator.created", resourceType: "generator", resourceID: id,
                                  details: .object(["name": .string(name)]), request: request)
                try await s.audit(tx, principal, "pak.created", resourceType: "generator", resourceID: id, request: request)
                return json
            }
            return JSONResponse.raw(#"{"generator":\#(json),"pak":\#(JSONValue.string(key.pak).serialized())}"#, status: .created)
        }

        api.add(.get, "generators/:id", .adminOrGeneratorSelf(), failure: "Failed to fetch generator") { _, context, _ in
            guard let json = try await s.generators.getJSON(try context.uuid("id")) else { throw generatorNotFound }
            return JSONResponse.raw(json)
        }

        api.add(.put, "generators/:id", .adminOrGeneratorSelf(), failure: "Failed to update generator") { request, context, principal in
            let id = try context.uuid("id")
            let body = try await RequestBody.read(request)
            if let bodyID = try body.optionalUUID("id"), bodyID != id { throw APIError(.invalidGenerator, "Generator ID mismatch") }
            let name = try body.requiredString("name"), description = try body.optionalString("description")
            if let problem = FieldRules.name(name, field: "Generator name") { throw APIError(.invalidGenerator, problem) }
            let json = try await s.transaction { tx -> String in
                guard let json = try await GeneratorStore(sql: tx).update(id, name: name, description: description) else {
                    throw generatorNotFound
                }
                try await s.audit(tx, principal, "generator.updated", resourceType: "generator", resourceID: id,
                                  details: .object(["name": .string(name)]), request: request)
                return json
            }
            return JSONResponse.raw(json)
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

        api.add(.post, "generators/:id/rotate-pak", .adminOrGeneratorSelf(), failure: "Failed to rotate generator PAK") { request, context, principal in
            let id = try context.uuid("id")
            let key = s.pakGenerator.generate()
            let (oldHash, json) = try await s.transaction { tx in
                guard let rotated = try await GeneratorStore(sql: tx).rotateKey(id, newHash: key.hash) else {
                    throw generatorNotFound
                }
                try await s.audit(tx, principal, "pak.rotated", resourceType: "generator", resourceID: id, request: request)
                return rotated
            }
            s.authCache.evict(oldHash)
            return JSONResponse.raw(#"{"generator":\#(json),"pak":\#(JSONValue.string(key.pak).serialized())}"#, status: .created)
        }
    }
}
