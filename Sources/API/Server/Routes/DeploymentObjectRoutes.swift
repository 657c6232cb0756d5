import BrokkrCommon
import BrokkrQueue
import Foundation
import Hummingbird

/// Deployment objects: immutable YAML snapshots of a stack's desired state.
enum DeploymentObjectRoutes {
    static func register(_ api: APIRoutes, _ s: BrokerServices) {
        api.add(.get, "stacks/:id/deployment-objects", .resourceChecked, failure: "Failed to fetch deployment objects") { _, context, principal in
            let stack = try await StackRoutes.ownedStack(context, principal, s)
            let objects = try await s.deploymentObjects.list(stackID: stack.id)
            s.metrics.deploymentObjectsTotal.set(Double(objects.count))
            return try JSONResponse.encode(objects)
        }

        api.add(.post, "stacks/:id/deployment-objects", .resourceChecked, failure: "Failed to create deployment object") {
            request, context, principal in
            let stack = try await StackRoutes.ownedStack(context, principal, s)
            let new = try await request.decode(as: CreateDeploymentObjectRequest.self)
            let object = try await StackService(s: s).addObject(
                to: stack.id, yaml: new.yamlContent, isDeletionMarker: new.isDeletionMarker ?? false, by: ChangeActor(principal, request))
            return try JSONResponse.encode(object, status: .created)
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
            return try JSONResponse.encode(object)
        }
    }
}
