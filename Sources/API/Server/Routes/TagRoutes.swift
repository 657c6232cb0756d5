import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// The label and annotation routes of one owner kind (`stacks`, `templates`, `agents`): list, add and
/// remove each, written once. The owner supplies who may read and who may write (each returns the
/// owner's id after its checks), how a body is read (each kind has its own request model and checks),
/// and its not-found codes; the rows are the kind's contract models.
struct TagRoutes<Label: Codable & Sendable, Annotation: Codable & Sendable>: Sendable {
    typealias OwnerCheck = @Sendable (BrokkrRequestContext, Principal) async throws -> UUID
    typealias BodyReader<Body> = @Sendable (Request, UUID, Principal) async throws -> Body

    /// Path segment and the noun of failure messages: `stacks`, `stack`.
    let collection: String
    let noun: String
    let tags: TagStore
    let readPolicy: AccessPolicy
    let writePolicy: AccessPolicy
    let readable: OwnerCheck
    let writable: OwnerCheck
    let label: BodyReader<String>
    let annotation: BodyReader<(key: String, value: String)>
    let labelNotFound: ErrorCode
    let annotationNotFound: ErrorCode

    func register(_ api: APIRoutes) {
        let base = "\(collection)/:id"
        api.add(.get, "\(base)/labels", readPolicy, failure: "Failed to fetch \(noun) labels") { _, context, principal in
            try JSONResponse.encode(try await tags.labelRows(try await readable(context, principal), as: Label.self))
        }
        api.add(.post, "\(base)/labels", writePolicy, failure: "Failed to add \(noun) label") { request, context, principal in
            let owner = try await writable(context, principal)
            let new = try await label(request, owner, principal)
            return try JSONResponse.encode(try await tags.addLabel(owner, new, as: Label.self), status: .created)
        }
        api.add(.delete, "\(base)/labels/:label", writePolicy, failure: "Failed to remove \(noun) label") { _, context, principal in
            guard try await tags.removeLabel(try await writable(context, principal), try context.string("label")) else {
                throw APIError(labelNotFound, "Label not found")
            }
            return JSONResponse.empty(.noContent)
        }
        api.add(.get, "\(base)/annotations", readPolicy, failure: "Failed to fetch \(noun) annotations") { _, context, principal in
            try JSONResponse.encode(try await tags.annotationRows(try await readable(context, principal), as: Annotation.self))
        }
        api.add(.post, "\(base)/annotations", writePolicy, failure: "Failed to add \(noun) annotation") { request, context, principal in
            let owner = try await writable(context, principal)
            let new = try await annotation(request, owner, principal)
            return try JSONResponse.encode(try await tags.addAnnotation(owner, key: new.key, value: new.value, as: Annotation.self), status: .created)
        }
        api.add(.delete, "\(base)/annotations/:key", writePolicy, failure: "Failed to remove \(noun) annotation") { _, context, principal in
            guard try await tags.removeAnnotation(try await writable(context, principal), key: try context.string("key")) else {
                throw APIError(annotationNotFound, "Annotation not found")
            }
            return JSONResponse.empty(.noContent)
        }
    }
}
