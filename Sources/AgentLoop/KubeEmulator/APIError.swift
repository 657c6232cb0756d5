import BrokkrCommon
import Foundation

/// An error answered as a Kubernetes `Status` object.
public struct KubeAPIError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    public var details: JSONValue?

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var description: String { "\(code) \(reason): \(message)" }

    public var status: JSONValue {
        var o: [String: JSONValue] = [
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": .object([:]),
            "status": "Failure",
            "message": .string(message),
            "reason": .string(reason),
            "code": .int(Int64(code)),
        ]
        if let details { o["details"] = details }
        return .object(o)
    }

    /// `deployments.apps` or `pods`: the resource as Kubernetes names it in messages.
    static func qualified(_ rt: KubeResourceType) -> String {
        rt.group.isEmpty ? rt.plural : "\(rt.plural).\(rt.group)"
    }

    static func details(_ rt: KubeResourceType, name: String, extra: [String: JSONValue] = [:]) -> JSONValue {
        var o: [String: JSONValue] = ["name": .string(name), "kind": .string(rt.plural)]
        if !rt.group.isEmpty { o["group"] = .string(rt.group) }
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    static func notFound(_ rt: KubeResourceType, _ name: String) -> KubeAPIError {
        KubeAPIError(code: 404, reason: "NotFound", message: "\(qualified(rt)) \"\(name)\" not found", details: details(rt, name: name))
    }

    static func namespaceNotFound(_ ns: String) -> KubeAPIError {
        KubeAPIError(
            code: 404, reason: "NotFound", message: "namespaces \"\(ns)\" not found",
            details: ["name": .string(ns), "kind": "namespaces"])
    }

    static func alreadyExists(_ rt: KubeResourceType, _ name: String) -> KubeAPIError {
        KubeAPIError(code: 409, reason: "AlreadyExists", message: "\(qualified(rt)) \"\(name)\" already exists", details: details(rt, name: name))
    }

    static func conflict(_ rt: KubeResourceType, _ name: String, _ why: String) -> KubeAPIError {
        KubeAPIError(
            code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(qualified(rt)) \"\(name)\": \(why)",
            details: details(rt, name: name))
    }

    static func staleResourceVersion(_ rt: KubeResourceType, _ name: String) -> KubeAPIError {
        conflict(rt, name, "the object has been modified; please apply your changes to the latest version and try again")
    }

    static func badRequest(_ message: String) -> KubeAPIError {
        KubeAPIError(code: 400, reason: "BadRequest", message: message)
    }

    static func methodNotAllowed() -> KubeAPIError {
        KubeAPIError(
            code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource", details: .object([:]))
    }

    static func pathNotFound() -> KubeAPIError {
        KubeAPIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource", details: .object([:]))
    }

    static func unsupportedMediaType(_ contentType: String) -> KubeAPIError {
        KubeAPIError(
            code: 415, reason: "UnsupportedMediaType",
            message:
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json"
        )
    }

    static func forbidden(_ rt: KubeResourceType, _ name: String, _ why: String) -> KubeAPIError {
        KubeAPIError(
            code: 403, reason: "Forbidden", message: "\(qualified(rt)) \"\(name)\" is forbidden: \(why)",
            details: details(rt, name: name))
    }

    /// A 422 listing field errors: `Deployment.apps "x" is invalid: spec.replicas: Invalid value: ...`.
    static func invalid(_ rt: KubeResourceType, _ name: String, _ causes: [KubeFieldError]) -> KubeAPIError {
        let kindQ = rt.group.isEmpty ? rt.kind : "\(rt.kind).\(rt.group)"
        let text = causes.map { $0.text }
        let joined = text.count == 1 ? text[0] : "[" + text.joined(separator: ", ") + "]"
        var d: [String: JSONValue] = [
            "name": .string(name), "kind": .string(rt.kind),
            "causes": .array(causes.map { ["reason": .string($0.reason), "message": .string($0.message), "field": .string($0.field)] }),
        ]
        if !rt.group.isEmpty { d["group"] = .string(rt.group) }
        return KubeAPIError(code: 422, reason: "Invalid", message: "\(kindQ) \"\(name)\" is invalid: \(joined)", details: .object(d))
    }
}

/// One field error of an Invalid (422) answer.
public struct KubeFieldError: Sendable {
    public var field: String
    public var reason: String
    public var detail: String
    public var badValue: JSONValue?
    /// The bad value as the server prints it, when JSON would not read like the real message.
    var renderedValue: String?

    static func required(_ field: String, _ detail: String = "") -> KubeFieldError {
        KubeFieldError(field: field, reason: "FieldValueRequired", detail: detail, badValue: nil)
    }

    static func invalidValue(_ field: String, _ value: JSONValue, _ detail: String) -> KubeFieldError {
        KubeFieldError(field: field, reason: "FieldValueInvalid", detail: detail, badValue: value)
    }

    /// `Invalid value: <value>: field is immutable`, the value given as Go prints it.
    static func immutable(_ field: String, rendered: String, detail: String = "field is immutable") -> KubeFieldError {
        KubeFieldError(field: field, reason: "FieldValueInvalid", detail: detail, badValue: nil, renderedValue: rendered)
    }

    static func forbidden(_ field: String, _ detail: String) -> KubeFieldError {
        KubeFieldError(field: field, reason: "FieldValueForbidden", detail: detail, badValue: nil)
    }

    static func typeMismatch(_ field: String, _ value: JSONValue, expected: String) -> KubeFieldError {
        KubeFieldError(
            field: field, reason: "FieldValueTypeInvalid",
            detail: "\(field) in body must be of type \(expected): \(value.jsonDescriptionForError)", badValue: value)
    }

    var message: String {
        switch reason {
        case "FieldValueRequired": return detail.isEmpty ? "Required value" : "Required value: \(detail)"
        case "FieldValueTypeInvalid": return "Invalid value: \"\(badValue?.typeName ?? "null")\": \(detail)"
        case "FieldValueForbidden": return "Forbidden: \(detail)"
        case "FieldValueDuplicate": return "Duplicate value: \(badValue?.jsonDescriptionForError ?? "null")"
        case "FieldValueNotSupported": return "Unsupported value: \(badValue?.jsonDescriptionForError ?? "null"): \(detail)"
        default:
            let v = renderedValue ?? badValue.map { $0.jsonDescriptionForError } ?? "null"
            return detail.isEmpty ? "Invalid value: \(v)" : "Invalid value: \(v): \(detail)"
        }
    }

    var text: String { "\(field): \(message)" }
}

extension JSONValue {
    /// How Kubernetes prints a bad value: strings quoted, objects by type.
    var jsonDescriptionForError: String {
        switch self {
        case .string(let s): return JSONValue.string(s).kubeSerialized()
        case .object: return "\"object\""
        case .array: return "\"array\""
        default: return kubeSerialized()
        }
    }
}
