/// The deployment object last applied per stack in this run of the agent — what health checks watch.
public actor AppliedObjects {
    private var byStack: [String: String] = [:]

    public init() {}

    public func record(stackID: String, objectID: String, isDeletionMarker: Bool) {
        byStack[stackID] = isDeletionMarker ? nil : objectID
    }

    public var objectIDs: [String] { byStack.values.sorted() }
}
