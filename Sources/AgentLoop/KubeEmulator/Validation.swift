import BrokkrCommon
import Foundation

/// A small part of the API server's validation: object names, the types of the well-known fields of
/// built-in kinds, and CRD `openAPIV3Schema` types/required/enum for custom resources.
/// Anything it does not know about is accepted.
enum Validation {
    static let dns1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    static let dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

    static func isDNS1123Label(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 63 else { return false }
        let chars = Array(s.utf8)
        func alnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) }
        guard alnum(chars.first!), alnum(chars.last!) else { return false }
        return chars.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }

    static func isDNS1123Subdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNS1123Label(String($0)) }
    }

    /// Kinds whose names must be DNS labels rather than subdomains.
    static let labelNamedKinds: Set<String> = ["Namespace", "Service"]
    /// Kinds whose names may be any path segment (RBAC).
    static let pathSegmentNamedKinds: Set<String> = ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]

    static func validate(_ obj: JSONValue, _ rt: KubeResourceType) -> [KubeFieldError] {
        var errs: [KubeFieldError] = []
        let name = obj["metadata"]?["name"]?.stringValue ?? ""
        if name.isEmpty {
            errs.append(.required("metadata.name", "name or generateName is required"))
        } else if pathSegmentNamedKinds.contains(rt.kind) {
            if name.contains("/") || name.contains("%") || name == "." || name == ".." {
                errs.append(.invalidValue("metadata.name", .string(name), "may not contain '/' or '%'"))
            }
        } else if labelNamedKinds.contains(rt.kind) && rt.isCore {
            if !isDNS1123Label(name) { errs.append(.invalidValue("metadata.name", .string(name), dns1123LabelMessage)) }
        } else if !isDNS1123Subdomain(name) {
            errs.append(.invalidValue("metadata.name", .string(name), dns1123SubdomainMessage))
        }
        checkStringMap(obj["metadata"]?["labels"], "metadata.labels", &errs)
        checkStringMap(obj["metadata"]?["annotations"], "metadata.annotations", &errs)
        if let labels = obj["metadata"]?["labels"]?.objectValue {
            for (k, v) in labels {
                if (try? KubeLabelSelector.validateLabelKey(k)) == nil {
                    errs.append(
                        .invalidValue(
                            "metadata.labels", .string(k),
                            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
                        ))
                }
                if let s = v.stringValue, (try? KubeLabelSelector.validateLabelValue(s)) == nil {
                    errs.append(
                        .invalidValue(
                            "metadata.labels", .string(s),
                            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
                        ))
                }
            }
        }
        if let schema = rt.schema {
            validateSchema(obj["spec"], schema["properties"]?["spec"], "spec", &errs)
            if !rt.hasStatus { validateSchema(obj["status"], schema["properties"]?["status"], "status", &errs) }
            for (k, v) in obj.objectValue ?? [:] where !["apiVersion", "kind", "metadata", "spec", "status"].contains(k) {
                validateSchema(v, schema["properties"]?[k], k, &errs)
            }
            for req in (schema["required"]?.arrayValue ?? []).compactMap({ $0.stringValue }) where obj[req] == nil {
                errs.append(.required(req))
            }
            return errs
        }
        guard rt.crdName == nil else { return errs }
        switch (rt.group, rt.kind) {
        case ("", "Pod"):
            validatePodSpec(obj["spec"], "spec", required: true, &errs)
        case ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "StatefulSet"), ("apps", "DaemonSet"):
            validateWorkload(obj, rt, &errs)
        case ("batch", "Job"):
            checkType(obj["spec"], "spec", .object, &errs, required: true)
            checkType(obj["spec"]?["backoffLimit"], "spec.backoffLimit", .integer, &errs)
            checkType(obj["spec"]?["completions"], "spec.completions", .integer, &errs)
            checkType(obj["spec"]?["parallelism"], "spec.parallelism", .integer, &errs)
            validateTemplate(obj["spec"]?["template"], "spec.template", &errs)
        case ("batch", "CronJob"):
            checkType(obj["spec"], "spec", .object, &errs, required: true)
            checkType(obj["spec"]?["schedule"], "spec.schedule", .string, &errs, required: true)
            checkType(obj["spec"]?["jobTemplate"], "spec.jobTemplate", .object, &errs, required: true)
            validateTemplate(obj["spec"]?["jobTemplate"]?["spec"]?["template"], "spec.jobTemplate.spec.template", &errs)
        case ("", "Service"):
            if let ports = obj["spec"]?["ports"] {
                checkType(ports, "spec.ports", .array, &errs)
                for (i, p) in (ports.arrayValue ?? []).enumerated() {
                    let path = "spec.ports[\(i)]"
                    checkType(p["port"], "\(path).port", .integer, &errs, required: true)
                    checkType(p["name"], "\(path).name", .string, &errs)
                    checkType(p["protocol"], "\(path).protocol", .string, &errs)
                    checkType(p["targetPort"], "\(path).targetPort", .intOrString, &errs)
                }
            }
            checkStringMap(obj["spec"]?["selector"], "spec.selector", &errs)
            checkType(obj["spec"]?["type"], "spec.type", .string, &errs)
        case ("", "ConfigMap"):
            checkStringMap(obj["data"], "data", &errs)
            checkStringMap(obj["binaryData"], "binaryData", &errs)
        case ("", "Secret"):
            checkStringMap(obj["data"], "data", &errs)
            checkStringMap(obj["stringData"], "stringData", &errs)
            checkType(obj["type"], "type", .string, &errs)
        case ("apiextensions.k8s.io", "CustomResourceDefinition"):
            validateCRD(obj, name: name, &errs)
        default:
            break
        }
        return errs
    }

    enum Expected {
        case object, array, string, integer, number, boolean, intOrString

        var name: String {
            switch self {
            case .object: return "object"
            case .array: return "array"
            case .string: return "string"
            case .integer: return "integer"
            case .number: return "number"
            case .boolean: return "boolean"
            case .intOrString: return "int-or-string"
            }
        }

        func matches(_ v: JSONValue) -> Bool {
            switch (self, v) {
            case (.object, .object), (.array, .array), (.string, .string), (.boolean, .bool): return true
            case (.integer, .int): return true
            case (.integer, .double(let d)): return d == d.rounded()
            case (.number, .int), (.number, .double): return true
            case (.intOrString, .int), (.intOrString, .string): return true
            default: return false
            }
        }
    }

    static func checkType(_ v: JSONValue?, _ path: String, _ type: Expected, _ errs: inout [KubeFieldError], required: Bool = false) {
        guard let v, !v.isNull else {
            if required { errs.append(.required(path)) }
            return
        }
        if !type.matches(v) { errs.append(.typeMismatch(path, v, expected: type.name)) }
    }

    static func checkStringMap(_ v: JSONValue?, _ path: String, _ errs: inout [KubeFieldError]) {
        guard let v, !v.isNull else { return }
        guard case .object(let o) = v else {
            errs.append(.typeMismatch(path, v, expected: "object"))
            return
        }
        for k in o.keys.sorted() where o[k]!.stringValue == nil && !o[k]!.isNull {
            errs.append(.typeMismatch("\(path).\(k)", o[k]!, expected: "string"))
        }
    }

    static func validateWorkload(_ obj: JSONValue, _ rt: KubeResourceType, _ errs: inout [KubeFieldError]) {
        guard let spec = obj["spec"], !spec.isNull else {
            errs.append(.required("spec"))
            return
        }
        checkType(spec, "spec", .object, &errs)
        guard spec.isObject else { return }
        checkType(spec["replicas"], "spec.replicas", .integer, &errs)
        if let r = spec["replicas"]?.intValue, r < 0 {
            errs.append(.invalidValue("spec.replicas", .int(r), "must be greater than or equal to 0"))
        }
        checkType(spec["selector"], "spec.selector", .object, &errs, required: true)
        checkType(spec["minReadySeconds"], "spec.minReadySeconds", .integer, &errs)
        checkType(spec["revisionHistoryLimit"], "spec.revisionHistoryLimit", .integer, &errs)
        validateTemplate(spec["template"], "spec.template", &errs)
        if let sel = KubeLabelSelector.fromObject(spec["selector"]), spec["selector"]?.isObject == true {
            if sel.isEmpty {
                errs.append(.invalidValue("spec.selector", spec["selector"]!, "empty selector is invalid for deployment"))
            } else {
                var labels: [String: String] = [:]
                for (k, v) in spec["template"]?["metadata"]?["labels"]?.objectValue ?? [:] { labels[k] = v.stringValue ?? "" }
                if !sel.matches(labels) {
                    errs.append(
                        .invalidValue(
                            "spec.template.metadata.labels", .object((spec["template"]?["metadata"]?["labels"]?.objectValue) ?? [:]),
                            "`selector` does not match template `labels`"))
                }
            }
        }
    }

    static func validateTemplate(_ t: JSONValue?, _ path: String, _ errs: inout [KubeFieldError]) {
        guard let t, !t.isNull else {
            errs.append(.required(path))
            return
        }
        checkType(t, path, .object, &errs)
        guard t.isObject else { return }
        checkType(t["metadata"], "\(path).metadata", .object, &errs)
        checkStringMap(t["metadata"]?["labels"], "\(path).metadata.labels", &errs)
        checkStringMap(t["metadata"]?["annotations"], "\(path).metadata.annotations", &errs)
        validatePodSpec(t["spec"], "\(path).spec", required: true, &errs)
    }

    static func validatePodSpec(_ spec: JSONValue?, _ path: String, required: Bool, _ errs: inout [KubeFieldError]) {
        guard let spec, !spec.isNull else {
            if required { errs.append(.required(path)) }
            return
        }
        guard spec.isObject else {
            errs.append(.typeMismatch(path, spec, expected: "object"))
            return
        }
        checkType(spec["containers"], "\(path).containers", .array, &errs, required: true)
        if let c = spec["containers"]?.arrayValue, c.isEmpty { errs.append(.required("\(path).containers")) }
        for field in ["containers", "initContainers"] {
            for (i, c) in (spec[field]?.arrayValue ?? []).enumerated() {
                let cp = "\(path).\(field)[\(i)]"
                guard c.isObject else {
                    errs.append(.typeMismatch(cp, c, expected: "object"))
                    continue
                }
                checkType(c["name"], "\(cp).name", .string, &errs, required: true)
                checkType(c["image"], "\(cp).image", .string, &errs, required: true)
                checkType(c["imagePullPolicy"], "\(cp).imagePullPolicy", .string, &errs)
                for listField in ["command", "args"] {
                    checkType(c[listField], "\(cp).\(listField)", .array, &errs)
                    for (j, a) in (c[listField]?.arrayValue ?? []).enumerated() {
                        checkType(a, "\(cp).\(listField)[\(j)]", .string, &errs)
                    }
                }
                checkType(c["ports"], "\(cp).ports", .array, &errs)
                for (j, p) in (c["ports"]?.arrayValue ?? []).enumerated() {
                    checkType(p["containerPort"], "\(cp).ports[\(j)].containerPort", .integer, &errs, required: true)
                    checkType(p["name"], "\(cp).ports[\(j)].name", .string, &errs)
                    checkType(p["protocol"], "\(cp).ports[\(j)].protocol", .string, &errs)
                }
                checkType(c["env"], "\(cp).env", .array, &errs)
                var seen = Set<String>()
                for (j, e) in (c["env"]?.arrayValue ?? []).enumerated() {
                    checkType(e["name"], "\(cp).env[\(j)].name", .string, &errs, required: true)
                    checkType(e["value"], "\(cp).env[\(j)].value", .string, &errs)
                    if let n = e["name"]?.stringValue, !seen.insert(n).inserted {
                        errs.append(KubeFieldError(field: "\(cp).env[\(j)].name", reason: "FieldValueDuplicate", detail: "", badValue: .string(n)))
                    }
                }
                checkType(c["resources"], "\(cp).resources", .object, &errs)
            }
        }
        var names = Set<String>()
        for (i, c) in (spec["containers"]?.arrayValue ?? []).enumerated() {
            if let n = c["name"]?.stringValue, !names.insert(n).inserted {
                errs.append(KubeFieldError(field: "\(path).containers[\(i)].name", reason: "FieldValueDuplicate", detail: "", badValue: .string(n)))
            }
        }
        checkType(spec["volumes"], "\(path).volumes", .array, &errs)
        checkType(spec["restartPolicy"], "\(path).restartPolicy", .string, &errs)
        checkType(spec["serviceAccountName"], "\(path).serviceAccountName", .string, &errs)
        checkStringMap(spec["nodeSelector"], "\(path).nodeSelector", &errs)
    }

    static func validateCRD(_ obj: JSONValue, name: String, _ errs: inout [KubeFieldError]) {
        guard let spec = obj["spec"], spec.isObject else {
            errs.append(.required("spec"))
            return
        }
        checkType(spec["group"], "spec.group", .string, &errs, required: true)
        checkType(spec["names"], "spec.names", .object, &errs, required: true)
        checkType(spec["names"]?["plural"], "spec.names.plural", .string, &errs, required: true)
        checkType(spec["names"]?["kind"], "spec.names.kind", .string, &errs, required: true)
        checkType(spec["scope"], "spec.scope", .string, &errs, required: true)
        if let scope = spec["scope"]?.stringValue, scope != "Namespaced" && scope != "Cluster" {
            errs.append(.invalidValue("spec.scope", .string(scope), "should be either Cluster or Namespaced"))
        }
        checkType(spec["versions"], "spec.versions", .array, &errs, required: true)
        if let versions = spec["versions"]?.arrayValue {
            if versions.isEmpty { errs.append(.required("spec.versions", "must have exactly one version marked as storage version")) }
            let storage = versions.filter { $0["storage"]?.boolValue == true }.count
            if !versions.isEmpty && storage != 1 {
                errs.append(.invalidValue("spec.versions", .int(Int64(storage)), "must have exactly one version marked as storage version"))
            }
            for (i, v) in versions.enumerated() {
                checkType(v["name"], "spec.versions[\(i)].name", .string, &errs, required: true)
                checkType(v["served"], "spec.versions[\(i)].served", .boolean, &errs, required: true)
                checkType(v["storage"], "spec.versions[\(i)].storage", .boolean, &errs, required: true)
            }
        }
        if let plural = spec["names"]?["plural"]?.stringValue, let group = spec["group"]?.stringValue, name != "\(plural).\(group)" {
            errs.append(.invalidValue("metadata.name", .string(name), "must be spec.names.plural+\".\"+spec.group"))
        }
    }

    // MARK: - CRD schemas

    static func validateSchema(_ v: JSONValue?, _ schema: JSONValue?, _ path: String, _ errs: inout [KubeFieldError]) {
        guard let schema, let v else { return }
        if v.isNull {
            if schema["nullable"]?.boolValue != true {
                errs.append(.typeMismatch(path, v, expected: schema["type"]?.stringValue ?? "object"))
            }
            return
        }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true {
            if !Expected.intOrString.matches(v) { errs.append(.typeMismatch(path, v, expected: "int-or-string")) }
            return
        }
        if let t = schema["type"]?.stringValue {
            let expected: Expected?
            switch t {
            case "object": expected = .object
            case "array": expected = .array
            case "string": expected = .string
            case "integer": expected = .integer
            case "number": expected = .number
            case "boolean": expected = .boolean
            default: expected = nil
            }
            if let expected, !expected.matches(v) {
                errs.append(.typeMismatch(path, v, expected: t))
                return
            }
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(where: { jsonEqual($0, v) }) {
            let list = allowed.map { $0.kubeSerialized() }.joined(separator: ", ")
            errs.append(KubeFieldError(field: path, reason: "FieldValueNotSupported", detail: "supported values: \(list)", badValue: v))
        }
        switch v {
        case .object(let o):
            for req in (schema["required"]?.arrayValue ?? []).compactMap({ $0.stringValue }) where o[req] == nil {
                errs.append(.required("\(path).\(req)"))
            }
            let props = schema["properties"]?.objectValue
            for k in o.keys.sorted() {
                if let ps = props?[k] {
                    validateSchema(o[k], ps, "\(path).\(k)", &errs)
                } else if let ap = schema["additionalProperties"], ap.isObject {
                    validateSchema(o[k], ap, "\(path).\(k)", &errs)
                }
            }
        case .array(let a):
            for (i, item) in a.enumerated() { validateSchema(item, schema["items"], "\(path)[\(i)]", &errs) }
        default:
            break
        }
    }

    /// Drops fields a structural CRD schema does not declare, as the API server does for custom resources.
    static func pruneUnknown(_ v: JSONValue, _ schema: JSONValue?) -> JSONValue {
        guard let schema else { return v }
        if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true && schema["properties"] == nil { return v }
        switch v {
        case .object(let o):
            let props = schema["properties"]?.objectValue
            let ap = schema["additionalProperties"]
            if props == nil && ap == nil {
                if schema["type"]?.stringValue == "object" && schema["x-kubernetes-preserve-unknown-fields"]?.boolValue != true {
                    return .object([:])
                }
                return v
            }
            var out: [String: JSONValue] = [:]
            for (k, c) in o {
                if let ps = props?[k] {
                    out[k] = pruneUnknown(c, ps)
                } else if let ap, ap.isObject {
                    out[k] = pruneUnknown(c, ap)
                } else if ap?.boolValue == true || schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true {
                    out[k] = c
                }
            }
            return .object(out)
        case .array(let a):
            return .array(a.map { pruneUnknown($0, schema["items"]) })
        default:
            return v
        }
    }
}
