import BrokkrCommon
import Foundation

/// A parsed label selector (`app=x,tier in (a,b),!legacy`).
public struct KubeLabelSelector: Sendable, Equatable {
    public enum Operator: Sendable, Equatable {
        case equals, notEquals, `in`, notIn, exists, doesNotExist, greaterThan, lessThan
    }

    public struct Requirement: Sendable, Equatable {
        public var key: String
        public var op: Operator
        public var values: [String]
    }

    public var requirements: [Requirement]

    public init(requirements: [Requirement] = []) { self.requirements = requirements }

    public var isEmpty: Bool { requirements.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool {
        for r in requirements {
            let v = labels[r.key]
            switch r.op {
            case .equals, .in:
                guard let v, r.values.contains(v) else { return false }
            case .notEquals, .notIn:
                if let v, r.values.contains(v) { return false }
            case .exists:
                if v == nil { return false }
            case .doesNotExist:
                if v != nil { return false }
            case .greaterThan, .lessThan:
                guard let v, let lhs = Int64(v), let rhs = r.values.first.flatMap({ Int64($0) }) else { return false }
                if r.op == .greaterThan ? !(lhs > rhs) : !(lhs < rhs) { return false }
            }
        }
        return true
    }

    /// Builds the selector of a `metav1.KubeLabelSelector` object (`matchLabels` + `matchExpressions`).
    public static func fromObject(_ sel: JSONValue?) -> KubeLabelSelector? {
        guard let sel, case .object(let o) = sel else { return nil }
        var reqs: [Requirement] = []
        if let ml = o["matchLabels"]?.objectValue {
            for k in ml.keys.sorted() {
                if let v = ml[k]?.stringValue { reqs.append(.init(key: k, op: .equals, values: [v])) }
            }
        }
        for e in o["matchExpressions"]?.arrayValue ?? [] {
            guard let key = e["key"]?.stringValue, let op = e["operator"]?.stringValue else { continue }
            let values = (e["values"]?.arrayValue ?? []).compactMap { $0.stringValue }
            switch op {
            case "In": reqs.append(.init(key: key, op: .in, values: values))
            case "NotIn": reqs.append(.init(key: key, op: .notIn, values: values))
            case "Exists": reqs.append(.init(key: key, op: .exists, values: []))
            case "DoesNotExist": reqs.append(.init(key: key, op: .doesNotExist, values: []))
            default: continue
            }
        }
        return KubeLabelSelector(requirements: reqs)
    }

    /// The selector in query-string syntax.
    public var stringValue: String {
        requirements.map { r in
            switch r.op {
            case .equals: return "\(r.key)=\(r.values.first ?? "")"
            case .notEquals: return "\(r.key)!=\(r.values.first ?? "")"
            case .in: return "\(r.key) in (\(r.values.joined(separator: ",")))"
            case .notIn: return "\(r.key) notin (\(r.values.joined(separator: ",")))"
            case .exists: return r.key
            case .doesNotExist: return "!\(r.key)"
            case .greaterThan: return "\(r.key)>\(r.values.first ?? "")"
            case .lessThan: return "\(r.key)<\(r.values.first ?? "")"
            }
        }.joined(separator: ",")
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Parses the `labelSelector` query syntax.
    public static func parse(_ text: String) throws -> KubeLabelSelector {
        var p = SelectorScanner(text)
        var reqs: [Requirement] = []
        p.skipSpaces()
        if p.atEnd { return KubeLabelSelector() }
        while true {
            p.skipSpaces()
            var negated = false
            if p.peek == "!" {
                negated = true
                p.advance()
                p.skipSpaces()
            }
            let key = p.readWord()
            guard !key.isEmpty else { throw ParseError(description: "unable to parse requirement: found '\(p.rest)', expected: identifier") }
            try validateLabelKey(key)
            p.skipSpaces()
            if negated {
                reqs.append(.init(key: key, op: .doesNotExist, values: []))
            } else if p.atEnd || p.peek == "," {
                reqs.append(.init(key: key, op: .exists, values: []))
            } else if p.consume("==") || p.consume("=") {
                p.skipSpaces()
                let v = p.readWord()
                try validateLabelValue(v)
                reqs.append(.init(key: key, op: .equals, values: [v]))
            } else if p.consume("!=") {
                p.skipSpaces()
                let v = p.readWord()
                try validateLabelValue(v)
                reqs.append(.init(key: key, op: .notEquals, values: [v]))
            } else if p.consume(">") {
                p.skipSpaces()
                let v = p.readWord()
                guard Int64(v) != nil else { throw ParseError(description: "for 'Gt', 'Lt' operators, the value must be an integer") }
                reqs.append(.init(key: key, op: .greaterThan, values: [v]))
            } else if p.consume("<") {
                p.skipSpaces()
                let v = p.readWord()
                guard Int64(v) != nil else { throw ParseError(description: "for 'Gt', 'Lt' operators, the value must be an integer") }
                reqs.append(.init(key: key, op: .lessThan, values: [v]))
            } else {
                let word = p.readWord()
                let op: Operator
                switch word {
                case "in": op = .in
                case "notin": op = .notIn
                default:
                    throw ParseError(description: "unable to parse requirement: found '\(word)', expected: in, notin, =, ==, !=, gt, lt")
                }
                p.skipSpaces()
                guard p.consume("(") else { throw ParseError(description: "unable to parse requirement: expected '('") }
                var values: [String] = []
                while true {
                    p.skipSpaces()
                    if p.consume(")") { break }
                    let v = p.readWord()
                    try validateLabelValue(v)
                    values.append(v)
                    p.skipSpaces()
                    if p.consume(",") { continue }
                    if p.consume(")") { break }
                    throw ParseError(description: "unable to parse requirement: expected ',' or ')'")
                }
                if values.isEmpty && op == .in {
                    throw ParseError(description: "for 'in', 'notin' operators, values set can't be empty")
                }
                reqs.append(.init(key: key, op: op, values: values))
            }
            p.skipSpaces()
            if p.atEnd { break }
            guard p.consume(",") else { throw ParseError(description: "unable to parse requirement: found '\(p.rest)', expected: ','") }
        }
        return KubeLabelSelector(requirements: reqs)
    }

    static func validateLabelKey(_ key: String) throws {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.last, !name.isEmpty, name.count <= 63,
            name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }),
            name.first!.isLetter || name.first!.isNumber, name.last!.isLetter || name.last!.isNumber
        else {
            throw ParseError(
                description:
                    "invalid label key \"\(key)\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
            )
        }
        if parts.count == 2 && parts[0].isEmpty {
            throw ParseError(description: "invalid label key \"\(key)\": prefix part must be non-empty")
        }
    }

    static func validateLabelValue(_ v: String) throws {
        if v.isEmpty { return }
        guard v.count <= 63, v.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }),
            v.first!.isLetter || v.first!.isNumber, v.last!.isLetter || v.last!.isNumber
        else {
            throw ParseError(
                description:
                    "invalid label value: \"\(v)\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
            )
        }
    }
}

private struct SelectorScanner {
    let chars: [Character]
    var i = 0
    init(_ s: String) { chars = Array(s) }
    var atEnd: Bool { i >= chars.count }
    var peek: Character? { atEnd ? nil : chars[i] }
    var rest: String { String(chars[min(i, chars.count)...]) }
    mutating func advance() { i += 1 }
    mutating func skipSpaces() { while let c = peek, c == " " { i += 1 } }
    mutating func consume(_ s: String) -> Bool {
        let a = Array(s)
        guard i + a.count <= chars.count, Array(chars[i..<i + a.count]) == a else { return false }
        i += a.count
        return true
    }
    mutating func readWord() -> String {
        var out = ""
        while let c = peek, !" ,=!()<>".contains(c) {
            out.append(c)
            i += 1
        }
        return out
    }
}

/// A parsed field selector (`metadata.name=x,status.phase!=Running`).
public struct KubeFieldSelector: Sendable, Equatable {
    public struct Requirement: Sendable, Equatable {
        public var field: String
        public var negated: Bool
        public var value: String
    }

    public var requirements: [Requirement]

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func parse(_ text: String) throws -> KubeFieldSelector {
        var reqs: [Requirement] = []
        for part in splitUnescaped(text) {
            let term = part.trimmingCharacters(in: .whitespaces)
            if term.isEmpty { continue }
            if let r = term.range(of: "!=") {
                reqs.append(.init(field: String(term[..<r.lowerBound]), negated: true, value: unescape(String(term[r.upperBound...]))))
            } else if let r = term.range(of: "==") {
                reqs.append(.init(field: String(term[..<r.lowerBound]), negated: false, value: unescape(String(term[r.upperBound...]))))
            } else if let r = term.range(of: "=") {
                reqs.append(.init(field: String(term[..<r.lowerBound]), negated: false, value: unescape(String(term[r.upperBound...]))))
            } else {
                throw ParseError(description: "invalid selector: '\(text)'; can't understand '\(term)'")
            }
        }
        return KubeFieldSelector(requirements: reqs)
    }

    private static func splitUnescaped(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var escaped = false
        for c in s {
            if escaped {
                cur.append("\\")
                cur.append(c)
                escaped = false
                continue
            }
            if c == "\\" {
                escaped = true
                continue
            }
            if c == "," {
                out.append(cur)
                cur = ""
                continue
            }
            cur.append(c)
        }
        out.append(cur)
        return out
    }

    private static func unescape(_ s: String) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if escaped {
                out.append(c)
                escaped = false
                continue
            }
            if c == "\\" {
                escaped = true
                continue
            }
            out.append(c)
        }
        return out
    }

    /// Evaluates the selector against an object: the field is a dotted path into it; a missing field is "".
    public func matches(_ object: JSONValue) -> Bool {
        for r in requirements {
            let path = r.field.split(separator: ".").map(String.init)
            let actual: String
            switch object.value(at: path) {
            case .string(let s)?: actual = s
            case .int(let i)?: actual = String(i)
            case .bool(let b)?: actual = b ? "true" : "false"
            case .double(let d)?: actual = String(d)
            default: actual = ""
            }
            if r.negated ? (actual == r.value) : (actual != r.value) { return false }
        }
        return true
    }
}
