import Foundation

/// The subset of TOML that Brokkr configuration files use: `[section]` and `[section.sub]` tables,
/// `key = value` with strings (basic and literal), integers, floats, booleans and (multi-line) arrays,
/// and `#` comments. Everything is flattened to dotted keys: `[broker] pak_hash = "x"` → `broker.pak_hash`.
public struct TOMLDocument: Sendable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case bool(Bool)
        case array([Value])
    }

    public private(set) var values: [String: Value] = [:]

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    public init(parsing text: String) throws {
        var table = ""
        var pending = ""
        var pendingStartLine = 0
        for (offset, rawLine) in text.components(separatedBy: "\n").enumerated() {
            let lineNumber = offset + 1
            let line = Self.stripComment(rawLine).trimmingCharacters(in: .whitespaces)
            if !pending.isEmpty {
                pending += " " + line
                if Self.bracketsBalanced(pending) {
                    try assign(pending, table: table, line: pendingStartLine)
                    pending = ""
                }
                continue
            }
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), !line.hasPrefix("[[") else {
                    throw ParseError(line: lineNumber, message: "unsupported table header \(line)")
                }
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }) else {
                    throw ParseError(line: lineNumber, message: "invalid table name \(line)")
                }
                table = name
                continue
            }
            if !Self.bracketsBalanced(line) {
                pending = line
                pendingStartLine = lineNumber
                continue
            }
            try assign(line, table: table, line: lineNumber)
        }
        if !pending.isEmpty { throw ParseError(line: pendingStartLine, message: "unterminated array") }
    }

    private mutating func assign(_ line: String, table: String, line lineNumber: Int) throws {
        guard let eq = line.firstIndex(of: "=") else {
            throw ParseError(line: lineNumber, message: "expected key = value")
        }
        var key = line[..<eq].trimmingCharacters(in: .whitespaces)
        if key.hasPrefix("\""), key.hasSuffix("\""), key.count >= 2 { key = String(key.dropFirst().dropLast()) }
        guard !key.isEmpty else { throw ParseError(line: lineNumber, message: "empty key") }
        var scanner = ValueScanner(Array(line[line.index(after: eq)...]))
        scanner.skipSpaces()
        let value: Value
        do {
            value = try scanner.parseValue()
            scanner.skipSpaces()
            guard scanner.atEnd else { throw ParseError(line: lineNumber, message: "unexpected text after value") }
        } catch let error as ParseError {
            throw ParseError(line: lineNumber, message: error.message)
        }
        let fullKey = table.isEmpty ? key : table + "." + key
        values[fullKey.lowercased()] = value
    }

    /// Removes a trailing `# comment`, ignoring `#` inside strings.
    static func stripComment(_ line: String) -> String {
        var inBasic = false
        var inLiteral = false
        var escaped = false
        var result = ""
        for ch in line {
            if escaped {
                escaped = false
                result.append(ch)
                continue
            }
            if ch == "\\" && inBasic {
                escaped = true
                result.append(ch)
                continue
            }
            if ch == "\"" && !inLiteral { inBasic.toggle() }
            if ch == "'" && !inBasic { inLiteral.toggle() }
            if ch == "#" && !inBasic && !inLiteral { break }
            result.append(ch)
        }
        return result
    }

    static func bracketsBalanced(_ text: String) -> Bool {
        var depth = 0
        var inBasic = false
        var inLiteral = false
        var escaped = false
        for ch in text {
            if escaped {
                escaped = false
                continue
            }
            if ch == "\\" && inBasic {
                escaped = true
                continue
            }
            if ch == "\"" && !inLiteral {
                inBasic.toggle()
            } else if ch == "'" && !inBasic {
                inLiteral.toggle()
            } else if !inBasic && !inLiteral {
                if ch == "[" { depth += 1 } else if ch == "]" { depth -= 1 }
            }
        }
        return depth <= 0
    }

    private struct ValueScanner {
        let chars: [Character]
        var index = 0
        init(_ chars: [Character]) { self.chars = chars }
        var atEnd: Bool { index >= chars.count }

        mutating func skipSpaces() {
            while index < chars.count, chars[index] == " " || chars[index] == "\t" { index += 1 }
        }

        func fail(_ message: String) -> ParseError { ParseError(line: 0, message: message) }

        mutating func parseValue() throws -> Value {
            guard index < chars.count else { throw fail("missing value") }
            switch chars[index] {
            case "\"", "'": return .string(try parseString())
            case "[": return try parseArray()
            default: return try parseBare()
            }
        }

        /// A `"basic"` string (with escapes) or a `'literal'` one (without), the opening quote at `index`.
        mutating func parseString() throws -> String {
            let quote = chars[index]
            index += 1
            var out = ""
            while index < chars.count {
                let ch = chars[index]
                index += 1
                if ch == quote { return out }
                out.append(ch == "\\" && quote == "\"" ? try parseEscape() : ch)
            }
            throw fail("unterminated string")
        }

        /// The character a basic string's escape stands for, `index` after the backslash.
        mutating func parseEscape() throws -> Character {
            guard index < chars.count else { throw fail("unterminated string") }
            let e = chars[index]
            index += 1
            switch e {
            case "n": return "\n"
            case "t": return "\t"
            case "r": return "\r"
            case "\"", "\\": return e
            default: throw fail("unsupported escape \\\(e)")
            }
        }

        mutating func parseArray() throws -> Value {
            index += 1
            var items: [Value] = []
            while true {
                skipSpaces()
                guard index < chars.count else { throw fail("unterminated array") }
                if chars[index] == "]" {
                    index += 1
                    return .array(items)
                }
                items.append(try parseValue())
                skipSpaces()
                guard index < chars.count else { throw fail("unterminated array") }
                if chars[index] == "," {
                    index += 1
                    continue
                }
                if chars[index] == "]" {
                    index += 1
                    return .array(items)
                }
                throw fail("expected , or ] in array")
            }
        }

        mutating func parseBare() throws -> Value {
            let start = index
            while index < chars.count, chars[index] != ",", chars[index] != "]", chars[index] != " ", chars[index] != "\t" {
                index += 1
            }
            let token = String(chars[start..<index]).replacingOccurrences(of: "_", with: "")
            if token == "true" { return .bool(true) }
            if token == "false" { return .bool(false) }
            if let i = Int64(token) { return .integer(i) }
            if let d = Double(token) { return .float(d) }
            throw fail("invalid value \(String(chars[start..<index]))")
        }
    }
}
