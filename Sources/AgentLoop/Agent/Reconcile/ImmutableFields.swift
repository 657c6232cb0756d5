import BrokkrCommon

/// Applies that fail because they change a field the API server will not change in place (a Job's pod
/// template, a workload's selector, a Service's cluster IP, an immutable ConfigMap...). As Flux and
/// Argo CD do, Jobs and objects annotated `brokkr.io/replace: "true"` are deleted and created again;
/// for anything else the failure names the field, so that someone can decide.
public enum ImmutableFields {
    public static let replaceAnnotation = "brokkr.io/replace"

    /// How the API server words a refused in-place change.
    static let patterns = ["immutable", "may not change once set", "updates to statefulset spec for fields other than"]

    /// A 422 Invalid whose causes (or message) say a field cannot change.
    static func isImmutableError(_ error: any Error) -> Bool {
        guard let failure = error as? KubeClient.Failure, failure.status == 422, failure.reason == "Invalid" else { return false }
        let texts = failure.causes.isEmpty ? [failure.message] : failure.causes.map(\.message)
        return texts.contains { text in patterns.contains { text.localizedCaseInsensitiveContains($0) } }
    }

    /// Jobs, and objects that ask for it.
    static func mayReplace(_ object: JSONValue) -> Bool {
        object["kind"]?.stringValue == "Job" || object["metadata"]?["annotations"]?[replaceAnnotation]?.stringValue == "true"
    }

    /// `Deployment/web: immutable field spec.selector cannot be changed in place (...)`.
    static func describe(_ object: JSONValue, _ error: any Error) -> String {
        let name = "\(object["kind"]?.stringValue ?? "?")/\(object["metadata"]?["name"]?.stringValue ?? "?")"
        guard let failure = error as? KubeClient.Failure else { return "\(name): \(error)" }
        let fields = failure.causes.filter { cause in patterns.contains { cause.message.localizedCaseInsensitiveContains($0) } }.map(\.field)
        let list = fields.isEmpty ? "a field" : fields.joined(separator: ", ")
        return
            "\(name): immutable field \(list) cannot be changed in place (delete the object, or annotate it \(replaceAnnotation): \"true\" to have it recreated): \(failure.message)"
    }
}
