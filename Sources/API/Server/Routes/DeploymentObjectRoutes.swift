import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// Deployment objects: immutable YAML snapshots of a stack's desired state.
enum DeploymentObjectRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.get, "stacks/:id/deployment-objects", .resourceChecked, failure: "Failed to fetch deployment objects") { _, context, principal in
            let stack = try await StackRoutes.ownedStack(context, principal, s)
            let (count, json) = try await s.deploymentObjects.listJSON(stackID: stack.id)
            s.metrics.deploymentObjectsTotal.set(Double(count))
            return JSONResponse.raw(json)
        }

        api.add(.post, "stacks/:id/deployment-objects", .resourceChecked, failure: "Failed to create deployment object") { request, context, principal in
            let stack = try await StackRoutes.ownedStack(context, principal, s)
            let body = try await RequestBody.read(request)
            let yaml = try body.requiredString("yaml_content")
            let isMarker = try body.optionalBool("is_deletion_marker") ?? false
            // A deletion marker may be empty: it means "remove everything of this stack".
            if !isMarker, yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw APIError(.invalidDeploymentObject, "YAML content cannot be empty")
            }
            if let problem = YAMLDocuments.problem(in: yaml) { throw APIError(.invalidDeploymentObject, "Invalid YAML in yaml_content: \(problem)") }
            let json = try await s.transaction { tx in
                try await createObject(tx, stackID: stack.id, yaml: yaml, isDeletionMarker: isMarker)
            }
            return JSONResponse.raw(json, status: .created)
        }

        api.add(.get, "deployment-objects/:id", .resourceChecked, failure: "Failed to fetch deployment object") { _, context, principal in
            guard let object = try await s.deploymentObjects.get(try context.uuid("id")) else {
                throw APIError(.deploymentObjectNotFound, "Deployment object not found")
            }
            if let agent = principal.agentID {
                guard try await s.stacks.isAssociated(stackID: object.stackID, agentID: agent) else {
                    throw APIError(.agentNotAssociated, "Agent is not associated with this deployment object")
                }
            } else if let generator = principal.generatorID {
                guard let stack = try await s.stacks.get(object.stackID) else { throw StackRoutes.stackNotFound }
                guard stack.generatorID == generator else {
                    throw APIError(.generatorNotAssociated, "Generator is not associated with this deployment object")
                }
            }
            return JSONResponse.raw(object.json)
        }
    }

    /// Inserts an object and its `deployment.created` event in the caller's transaction.
    static func createObject(_ tx: Transaction, stackID: UUID, yaml: String, isDeletionMarker: Bool) async throws -> String {
        let (id, json) = try await DeploymentObjectStore(sql: tx).create(stackID: stackID, yaml: yaml, isDeletionMarker: isDeletionMarker)
        let object = try JSONValue.parse(json)
        try await EventOutbox.emit(BrokkrEvent(eventType: "deployment.created", data: .object([
            "deployment_object_id": .string(id.uuidString.lowercased()), "stack_id": .string(stackID.uuidString.lowercased()),
            "sequence_id": object["sequence_id"] ?? .null,
        ])), stackID: stackID, on: tx.connection, logger: tx.logger)
        return json
    }
}

/// /agent-events: readable by any authenticated caller, as in the original.
enum AgentEventRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.get, "agent-events", .anyAuthenticated, failure: "Failed to fetch agent events") { _, _, _ in
            JSONResponse.raw(try await s.agentEvents.listJSON())
        }
        api.add(.get, "agent-events/:id", .anyAuthenticated, failure: "Failed to fetch agent event") { _, context, _ in
            guard let json = try await s.agentEvents.getJSON(try context.uuid("id")) else {
                throw APIError(.agentEventNotFound, "Agent event not found")
            }
            return JSONResponse.raw(json)
        }
    }
}

/// POST /auth/pak: who does this key belong to?
enum AuthRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.post, "auth/pak", .anyAuthenticated, failure: "Failed to verify PAK") { _, _, principal in
            let object: JSONValue = .object([
                "admin": .bool(principal.isAdmin),
                "agent": principal.agentID.map { .string($0.uuidString.lowercased()) } ?? .null,
                "generator": principal.generatorID.map { .string($0.uuidString.lowercased()) } ?? .null,
            ])
            return JSONResponse.raw(object.serialized())
        }
    }
}
