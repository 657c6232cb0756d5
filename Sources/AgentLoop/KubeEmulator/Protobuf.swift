import BrokkrCommon
import Foundation

/// Decodes the Kubernetes protobuf envelope (`application/vnd.kubernetes.protobuf`) for the kinds kubectl's
/// typed clients send protobuf for (`kubectl create namespace|configmap|secret|serviceaccount|deployment|
/// service|job|cronjob|role|rolebinding|clusterrole|clusterrolebinding`, `kubectl run`), into the JSON
/// the rest of the emulator works with. Only the fields those commands set are known; a body with any other
/// field is refused (415) rather than silently losing data.
enum KubeProtobuf {
    struct DecodeError: Error { var message: String }

    indirect enum T: Sendable {
        case string, bytes, int, bool, time, intOrString, quantity
        case msg(String)
        case map(T)
    }

    struct F: Sendable {
        var name: String
        var type: T
        var repeated = false
    }

    static func f(_ name: String, _ type: T, rep: Bool = false) -> F { F(name: name, type: type, repeated: rep) }

    /// Field numbers from the Kubernetes `generated.proto` files.
    static let schemas: [String: [Int: F]] = [
        "TypeMeta": [1: f("apiVersion", .string), 2: f("kind", .string)],
        "Unknown": [1: f("typeMeta", .msg("TypeMeta")), 2: f("raw", .bytes), 3: f("contentEncoding", .string), 4: f("contentType", .string)],
        "ObjectMeta": [
            1: f("name", .string), 2: f("generateName", .string), 3: f("namespace", .string), 4: f("selfLink", .string),
            5: f("uid", .string), 6: f("resourceVersion", .string), 7: f("generation", .int), 8: f("creationTimestamp", .time),
            9: f("deletionTimestamp", .time), 10: f("deletionGracePeriodSeconds", .int), 11: f("labels", .map(.string)),
            12: f("annotations", .map(.string)), 13: f("ownerReferences", .msg("OwnerReference"), rep: true),
            14: f("finalizers", .string, rep: true),
        ],
        "OwnerReference": [
            1: f("kind", .string), 3: f("name", .string), 4: f("uid", .string), 5: f("apiVersion", .string), 6: f("controller", .bool),
            7: f("blockOwnerDeletion", .bool),
        ],
        "LabelSelector": [1: f("matchLabels", .map(.string)), 2: f("matchExpressions", .msg("LabelSelectorRequirement"), rep: true)],
        "LabelSelectorRequirement": [1: f("key", .string), 2: f("operator", .string), 3: f("values", .string, rep: true)],
        "Namespace": [1: f("metadata", .msg("ObjectMeta")), 2: f("spec", .msg("NamespaceSpec")), 3: f("status", .msg("NamespaceStatus"))],
        "NamespaceSpec": [1: f("finalizers", .string, rep: true)],
        "NamespaceStatus": [1: f("phase", .string)],
        "ConfigMap": [1: f("metadata", .msg("ObjectMeta")), 2: f("data", .map(.string)), 3: f("binaryData", .map(.bytes)), 4: f("immutable", .bool)],
        "Secret": [
            1: f("metadata", .msg("ObjectMeta")), 2: f("data", .map(.bytes)), 3: f("type", .string), 4: f("stringData", .map(.string)),
            5: f("immutable", .bool),
        ],
        "ServiceAccount": [
            1: f("metadata", .msg("ObjectMeta")), 3: f("imagePullSecrets", .msg("LocalObjectReference"), rep: true),
            4: f("automountServiceAccountToken", .bool),
        ],
        "LocalObjectReference": [1: f("name", .string)],
        "Service": [1: f("metadata", .msg("ObjectMeta")), 2: f("spec", .msg("ServiceSpec")), 3: f("status", .msg("Empty"))],
        "ServiceSpec": [
            1: f("ports", .msg("ServicePort"), rep: true), 2: f("selector", .map(.string)), 3: f("clusterIP", .string), 4: f("type", .string),
            10: f("externalName", .string),
        ],
        "ServicePort": [
            1: f("name", .string), 2: f("protocol", .string), 3: f("port", .int), 4: f("targetPort", .intOrString), 5: f("nodePort", .int),
            6: f("appProtocol", .string),
        ],
        "Empty": [:],
        "Deployment": [1: f("metadata", .msg("ObjectMeta")), 2: f("spec", .msg("DeploymentSpec")), 3: f("status", .msg("Empty"))],
        "DeploymentSpec": [
            1: f("replicas", .int), 2: f("selector", .msg("LabelSelector")), 3: f("template", .msg("PodTemplateSpec")),
            4: f("strategy", .msg("DeploymentStrategy")), 5: f("minReadySeconds", .int), 6: f("revisionHistoryLimit", .int),
            7: f("paused", .bool), 9: f("progressDeadlineSeconds", .int),
        ],
        "DeploymentStrategy": [1: f("type", .string), 2: f("rollingUpdate", .msg("RollingUpdateDeployment"))],
        "RollingUpdateDeployment": [1: f("maxUnavailable", .intOrString), 2: f("maxSurge", .intOrString)],
        "PodTemplateSpec": [1: f("metadata", .msg("ObjectMeta")), 2: f("spec", .msg("PodSpec"))],
        "Pod": [1: f("metadata", .msg("ObjectMeta")), 2: f("spec", .msg("PodSpec")), 3: f("status", .msg("Empty"))],
        "PodSpec": [
            2: f("containers", .msg("Container"), rep: true), 3: f("restartPolicy", .string), 4: f("terminationGracePeriodSeconds", .int),
            5: f("activeDeadlineSeconds", .int), 6: f("dnsPolicy", .string), 7: f("nodeSelector", .map(.string)),
            8: f("serviceAccountName", .string), 10: f("nodeName", .string), 15: f("imagePullSecrets", .msg("LocalObjectReference"), rep: true),
            16: f("hostname", .string), 17: f("subdomain", .string), 19: f("schedulerName", .string),
            20: f("initContainers", .msg("Container"), rep: true),
        ],
        "Container": [
            1: f("name", .string), 2: f("image", .string), 3: f("command", .string, rep: true), 4: f("args", .string, rep: true),
            5: f("workingDir", .string), 6: f("ports", .msg("ContainerPort"), rep: true), 7: f("env", .msg("EnvVar"), rep: true),
            8: f("resources", .msg("ResourceRequirements")), 13: f("terminationMessagePath", .string), 14: f("imagePullPolicy", .string),
            16: f("stdin", .bool), 17: f("stdinOnce", .bool), 18: f("tty", .bool), 20: f("terminationMessagePolicy", .string),
        ],
        "ContainerPort": [
            1: f("name", .string), 2: f("hostPort", .int), 3: f("containerPort", .int), 4: f("protocol", .string), 5: f("hostIP", .string),
        ],
        "EnvVar": [1: f("name", .string), 2: f("value", .string)],
        "ResourceRequirements": [1: f("limits", .map(.quantity)), 2: f("requests", .map(.quantity))],
        "Job": [1: f("metadata", .msg("ObjectMeta")), 2: f("spec", .msg("JobSpec")), 3: f("status", .msg("Empty"))],
        "JobSpec": [
            1: f("parallelism", .int), 2: f("completions", .int), 3: f("activeDeadlineSeconds", .int), 4: f("selector", .msg("LabelSelector")),
            5: f("manualSelector", .bool), 6: f("template", .msg("PodTemplateSpec")), 7: f("backoffLimit", .int),
            8: f("ttlSecondsAfterFinished", .int), 9: f("completionMode", .string), 10: f("suspend", .bool),
        ],
        "CronJob": [1: f("metadata", .msg("ObjectMeta")), 2: f("spec", .msg("CronJobSpec")), 3: f("status", .msg("Empty"))],
        "CronJobSpec": [
            1: f("schedule", .string), 2: f("startingDeadlineSeconds", .int), 3: f("concurrencyPolicy", .string), 4: f("suspend", .bool),
            5: f("jobTemplate", .msg("JobTemplateSpec")), 6: f("successfulJobsHistoryLimit", .int), 7: f("failedJobsHistoryLimit", .int),
            8: f("timeZone", .string),
        ],
        "JobTemplateSpec": [1: f("metadata", .msg("ObjectMeta")), 2: f("spec", .msg("JobSpec"))],
        "Role": [1: f("metadata", .msg("ObjectMeta")), 2: f("rules", .msg("PolicyRule"), rep: true)],
        "ClusterRole": [1: f("metadata", .msg("ObjectMeta")), 2: f("rules", .msg("PolicyRule"), rep: true)],
        "PolicyRule": [
            1: f("verbs", .string, rep: true), 2: f("apiGroups", .string, rep: true), 3: f("resources", .string, rep: true),
            4: f("resourceNames", .string, rep: true), 5: f("nonResourceURLs", .string, rep: true),
        ],
        "RoleBinding": [1: f("metadata", .msg("ObjectMeta")), 2: f("subjects", .msg("Subject"), rep: true), 3: f("roleRef", .msg("RoleRef"))],
        "ClusterRoleBinding": [1: f("metadata", .msg("ObjectMeta")), 2: f("subjects", .msg("Subject"), rep: true), 3: f("roleRef", .msg("RoleRef"))],
        "Subject": [1: f("kind", .string), 2: f("apiGroup", .string), 3: f("name", .string), 4: f("namespace", .string)],
        "RoleRef": [1: f("apiGroup", .string), 2: f("kind", .string), 3: f("name", .string)],
    ]

    /// Optional (pointer) fields whose zero value was set on purpose.
    static let keepZero: Set<String> = [
        "replicas", "immutable", "automountServiceAccountToken", "suspend", "backoffLimit", "parallelism", "completions",
    ]

    /// Decodes a `k8s\0`-prefixed body into a JSON object.
    static func decode(_ bytes: [UInt8]) throws -> JSONValue {
        guard bytes.count >= 4, bytes[0] == 0x6b, bytes[1] == 0x38, bytes[2] == 0x73, bytes[3] == 0 else {
            throw DecodeError(message: "missing the k8s protobuf prefix")
        }
        let envelope = try message(Array(bytes[4...]), "Unknown")
        guard let kind = envelope["typeMeta"]?["kind"]?.stringValue, let apiVersion = envelope["typeMeta"]?["apiVersion"]?.stringValue else {
            throw DecodeError(message: "protobuf envelope without type information")
        }
        guard schemas[kind] != nil else { throw DecodeError(message: "protobuf bodies of kind \(kind) are not supported") }
        let rawB64 = envelope["raw"]?.stringValue ?? ""
        let raw = [UInt8](Data(base64Encoded: rawB64) ?? Data())
        var obj = try message(raw, kind)
        obj["apiVersion"] = .string(apiVersion)
        obj["kind"] = .string(kind)
        return obj
    }

    struct Reader {
        let b: [UInt8]
        var i = 0
        mutating func varint() throws -> UInt64 {
            var r: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < b.count, shift < 64 else { throw DecodeError(message: "truncated varint") }
                let c = b[i]
                i += 1
                r |= UInt64(c & 0x7f) << shift
                if c < 0x80 { return r }
                shift += 7
            }
        }
        mutating func bytes() throws -> [UInt8] {
            let n = Int(try varint())
            guard n >= 0, i + n <= b.count else { throw DecodeError(message: "truncated field") }
            defer { i += n }
            return Array(b[i..<i + n])
        }
    }

    static func message(_ bytes: [UInt8], _ name: String) throws -> JSONValue {
        guard let schema = schemas[name] else { throw DecodeError(message: "unknown message \(name)") }
        var r = Reader(b: bytes)
        var out: [String: JSONValue] = [:]
        while r.i < bytes.count {
            let key = try r.varint()
            let number = Int(key >> 3)
            let wire = Int(key & 7)
            guard let field = schema[number] else {
                // Go marshals unset non-pointer fields too: empty ones carry nothing and are skipped.
                let empty: Bool
                switch wire {
                case 0: empty = try r.varint() == 0
                case 2: empty = try r.bytes().isEmpty
                default: empty = false
                }
                if empty { continue }
                throw DecodeError(message: "field \(number) of \(name) is not supported in protobuf bodies")
            }
            let value: JSONValue?
            switch (field.type, wire) {
            case (.int, 0):
                value = .int(Int64(bitPattern: try r.varint()))
            case (.bool, 0):
                value = .bool(try r.varint() != 0)
            case (.string, 2):
                value = .string(String(decoding: try r.bytes(), as: UTF8.self))
            case (.bytes, 2):
                value = .string(Data(try r.bytes()).base64EncodedString())
            case (.time, 2):
                let t = try timeMessage(try r.bytes())
                value = t
            case (.quantity, 2):
                value = try quantity(try r.bytes())
            case (.intOrString, 2):
                value = try intOrString(try r.bytes())
            case (.msg(let m), 2):
                value = try message(try r.bytes(), m)
            case (.map(let vt), 2):
                let (k, v) = try mapEntry(try r.bytes(), vt)
                var m = out[field.name]?.objectValue ?? [:]
                m[k] = v
                out[field.name] = .object(m)
                continue
            default:
                throw DecodeError(message: "field \(number) of \(name) has an unexpected wire type \(wire)")
            }
            guard let value else { continue }
            if field.repeated {
                var a = out[field.name]?.arrayValue ?? []
                a.append(value)
                out[field.name] = .array(a)
            } else if !isEmpty(value) || keepZero.contains(field.name) {
                out[field.name] = value
            }
        }
        return .object(out)
    }

    static func isEmpty(_ v: JSONValue) -> Bool {
        switch v {
        case .string(let s): return s.isEmpty
        case .int(let i): return i == 0
        case .bool(let b): return !b
        case .object(let o): return o.isEmpty
        case .array(let a): return a.isEmpty
        case .null: return true
        case .double: return false
        }
    }

    static func mapEntry(_ bytes: [UInt8], _ vt: T) throws -> (String, JSONValue) {
        var r = Reader(b: bytes)
        var key = ""
        var value: JSONValue = .string("")
        while r.i < bytes.count {
            let k = try r.varint()
            switch (k >> 3, k & 7) {
            case (1, 2): key = String(decoding: try r.bytes(), as: UTF8.self)
            case (2, 2):
                let b = try r.bytes()
                switch vt {
                case .bytes: value = .string(Data(b).base64EncodedString())
                case .quantity: value = try quantity(b)
                default: value = .string(String(decoding: b, as: UTF8.self))
                }
            default: throw DecodeError(message: "bad map entry")
            }
        }
        return (key, value)
    }

    static func timeMessage(_ bytes: [UInt8]) throws -> JSONValue? {
        var r = Reader(b: bytes)
        var seconds: Int64 = 0
        while r.i < bytes.count {
            let k = try r.varint()
            switch (k >> 3, k & 7) {
            case (1, 0): seconds = Int64(bitPattern: try r.varint())
            case (2, 0): _ = try r.varint()
            default: throw DecodeError(message: "bad time")
            }
        }
        // The zero time (an unset timestamp) encodes as seconds -62135596800 or an empty message.
        if seconds == 0 || seconds == -62_135_596_800 { return nil }
        return .string(KubeCluster.format(Date(timeIntervalSince1970: TimeInterval(seconds))))
    }

    static func quantity(_ bytes: [UInt8]) throws -> JSONValue {
        var r = Reader(b: bytes)
        var s = ""
        while r.i < bytes.count {
            let k = try r.varint()
            guard k == (1 << 3 | 2) else { throw DecodeError(message: "bad quantity") }
            s = String(decoding: try r.bytes(), as: UTF8.self)
        }
        return .string(s)
    }

    static func intOrString(_ bytes: [UInt8]) throws -> JSONValue {
        var r = Reader(b: bytes)
        var type: UInt64 = 0
        var intVal: Int64 = 0
        var strVal = ""
        while r.i < bytes.count {
            let k = try r.varint()
            switch (k >> 3, k & 7) {
            case (1, 0): type = try r.varint()
            case (2, 0): intVal = Int64(Int32(truncatingIfNeeded: try r.varint()))
            case (3, 2): strVal = String(decoding: try r.bytes(), as: UTF8.self)
            default: throw DecodeError(message: "bad int-or-string")
            }
        }
        return type == 1 ? .string(strVal) : .int(intVal)
    }
}
