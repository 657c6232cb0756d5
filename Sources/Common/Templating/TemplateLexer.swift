import BrokkrCommon
import BrokkrJSONSchema

// Splits template source into text, tags, comments and raw blocks, and tags into tokens.
// Works on Unicode scalars, as Tera (Rust `char`) does, so columns count scalars.

/// A token inside a `{{ }}` or `{% %}` tag.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        /// A bare identifier, keywords included (`if`, `not`, `name`).
        case word(String)
        /// An identifier followed by `.x` or `[...]` access, written without spaces (`a.b[0]`).
        case path(VariablePath)
        /// Unsigned digits; a `-` written right before a literal is folded in by the parser.
        case integer(String)
        case float(String)
        case string(String)
        case symbol(String)
        /// The tag closer: `}}`, `-}}`, `%}` or `-%}`.
        case end(String)
    }

    var kind: Kind
    var location: SourceLocation
    /// Whether whitespace separates this token from the previous one.
    var spaceBefore: Bool

    /// How the token is quoted in error messages.
    var display: String {
        switch kind {
        case .word(let w): return w
        case .path(let p): return p.text
        case .integer(let t), .float(let t): return t
        case .string(let s): return "\"\(s)\""
        case .symbol(let s), .end(let s): return s
        }
    }
}

struct TagContent: Sendable {
    var whitespace: TagWhitespace
    /// The tag's tokens; the last one is always `.end`.
    var tokens: [Token]
    /// Where the `{{` / `{%` starts.
    var location: SourceLocation
}

enum TemplateSegment: Sendable {
    case text(String)
    case variableTag(TagContent)
    case statementTag(TagContent)
    case comment(TagWhitespace, SourceLocation)
    case raw(start: TagWhitespace, body: String, end: TagWhitespace, SourceLocation)
}

struct TemplateLexer {
    private let scalars: [Unicode.Scalar]
    private let lineStarts: [Int]
    /// How deeply `a[b[c]]` subscripts may nest; lexing and lookup recurse once per level.
    private let maxSubscriptDepth: Int

    init(source: String, maxSubscriptDepth: Int = TemplateLimits.default.maxExpressionDepth) {
        self.maxSubscriptDepth = maxSubscriptDepth
        scalars = Array(source.unicodeScalars)
        var starts = [0]
        for (i, s) in scalars.enumerated() where s == "\n" { starts.append(i + 1) }
        lineStarts = starts
    }

    func location(of index: Int) -> SourceLocation {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= index { low = mid } else { high = mid - 1 }
        }
        return SourceLocation(line: low + 1, column: index - lineStarts[low] + 1)
    }

    private func text(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[range])
        return String(view)
    }

    private func scalar(_ i: Int) -> Unicode.Scalar? { i < scalars.count ? scalars[i] : nil }

    private func starts(with literal: String, at i: Int) -> Bool {
        var j = i
        for s in literal.unicodeScalars {
            guard j < scalars.count, scalars[j] == s else { return false }
            j += 1
        }
        return true
    }

    // MARK: - Template level

    func segments() throws -> [TemplateSegment] {
        var result: [TemplateSegment] = []
        var textStart = 0
        var i = 0
        while i < scalars.count {
            guard scalars[i] == "{", let next = scalar(i + 1), next == "{" || next == "%" || next == "#" else {
                i += 1
                continue
            }
            if textStart < i { result.append(.text(text(textStart..<i))) }
            switch next {
            case "#":
                let (segment, end) = try lexComment(at: i)
                result.append(segment)
                i = end
            case "{":
                let (tag, end) = try lexTag(at: i, closer: "}}")
                result.append(.variableTag(tag))
                i = end
            default:
                let (tag, end) = try lexTag(at: i, closer: "%}")
                if tag.tokens.count == 2, tag.tokens[0].kind == .word("raw") {
                    let (segment, rawEnd) = try lexRaw(tag: tag, bodyStart: end)
                    result.append(segment)
                    i = rawEnd
                } else {
                    result.append(.statementTag(tag))
                    i = end
                }
            }
            textStart = i
        }
        if textStart < scalars.count { result.append(.text(text(textStart..<scalars.count))) }
        return result
    }

    private func lexComment(at start: Int) throws -> (TemplateSegment, Int) {
        var ws = TagWhitespace()
        var i = start + 2
        if scalar(i) == "-" {
            ws.left = true
            i += 1
        }
        let contentStart = i
        while i < scalars.count {
            if starts(with: "-#}", at: i) || starts(with: "#}", at: i) {
                // Tera's grammar requires at least one character of comment text.
                guard i > contentStart else {
                    throw TemplateSyntaxError(
                        "empty comment: a comment needs some text between `{#` and `#}`",
                        at: location(of: start))
                }
                if scalars[i] == "-" {
                    ws.right = true
                    i += 1
                }
                return (.comment(ws, location(of: start)), i + 2)
            }
            i += 1
        }
        throw TemplateSyntaxError("unclosed comment: expected `#}`", at: location(of: start))
    }

    private func lexRaw(tag: TagContent, bodyStart: Int) throws -> (TemplateSegment, Int) {
        var i = bodyStart
        while i < scalars.count {
            if scalars[i] == "{", scalar(i + 1) == "%", let (endWS, end) = matchEndRaw(at: i) {
                return (.raw(start: tag.whitespace, body: text(bodyStart..<i), end: endWS, tag.location), end)
            }
            i += 1
        }
        throw TemplateSyntaxError("unclosed `raw` block: expected `{% endraw %}`", at: tag.location)
    }

    /// Matches `{%-? endraw -?%}` (any spacing) at `i`.
    private func matchEndRaw(at start: Int) -> (TagWhitespace, Int)? {
        var ws = TagWhitespace()
        var i = start + 2
        if scalar(i) == "-" {
            ws.left = true
            i += 1
        }
        while let s = scalar(i), Self.isTagWhitespace(s) { i += 1 }
        guard starts(with: "endraw", at: i) else { return nil }
        i += 6
        while let s = scalar(i), Self.isTagWhitespace(s) { i += 1 }
        if starts(with: "-%}", at: i) {
            ws.right = true
            return (ws, i + 3)
        }
        if starts(with: "%}", at: i) { return (ws, i + 2) }
        return nil
    }

    // MARK: - Tags

    /// Whitespace between tokens, as Tera's grammar defines it.
    static func isTagWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\r" || s == "\n"
    }

    private static func isIdentifierStart(_ s: Unicode.Scalar) -> Bool {
        (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || s == "_"
    }

    private static func isIdentifierChar(_ s: Unicode.Scalar) -> Bool {
        isIdentifierStart(s) || isDigit(s)
    }

    private static func isDigit(_ s: Unicode.Scalar) -> Bool { s >= "0" && s <= "9" }

    /// Words that never start a `.`/`[]` access, so `x in[1, 2]` still reads as `in` + array.
    private static let operatorWords: Set<String> = ["in", "is", "and", "or", "not"]

    private func lexTag(at start: Int, closer: String) throws -> (TagContent, Int) {
        let tagName = closer == "}}" ? "{{" : "{%"
        var ws = TagWhitespace()
        var tokens: [Token] = []
        var i = start + 2
        if scalar(i) == "-" {
            ws.left = true
            i += 1
        }
        while true {
            var spaceBefore = false
            while let s = scalar(i), Self.isTagWhitespace(s) {
                i += 1
                spaceBefore = true
            }
            guard let s = scalar(i) else {
                throw TemplateSyntaxError(
                    "unclosed `\(tagName)` tag: expected `\(closer)` before the end of the template",
                    at: location(of: start))
            }
            let here = location(of: i)
            if s == "-", starts(with: closer, at: i + 1) {
                ws.right = true
                tokens.append(Token(kind: .end("-" + closer), location: here, spaceBefore: spaceBefore))
                return (TagContent(whitespace: ws, tokens: tokens, location: location(of: start)), i + 1 + closer.unicodeScalars.count)
            }
            if starts(with: closer, at: i) {
                tokens.append(Token(kind: .end(closer), location: here, spaceBefore: spaceBefore))
                return (TagContent(whitespace: ws, tokens: tokens, location: location(of: start)), i + closer.unicodeScalars.count)
            }
            let wrongCloser = closer == "}}" ? "%}" : "}}"
            if starts(with: wrongCloser, at: i) {
                throw TemplateSyntaxError("`\(tagName)` tag closed with `\(wrongCloser)`: expected `\(closer)`", at: here)
            }
            if s == "{", let n = scalar(i + 1), n == "{" || n == "%" || n == "#" {
                throw TemplateSyntaxError(
                    "unclosed `\(tagName)` tag: found `{\(n)` before the closing `\(closer)`",
                    at: location(of: start))
            }
            let (kind, end) = try lexToken(at: i)
            tokens.append(Token(kind: kind, location: here, spaceBefore: spaceBefore))
            i = end
        }
    }

    private func lexToken(at i: Int) throws -> (Token.Kind, Int) {
        let s = scalars[i]
        if Self.isIdentifierStart(s) { return try lexIdentifierOrPath(at: i) }
        if Self.isDigit(s) {
            let (text, isFloat, end) = try lexNumber(at: i)
            return (isFloat ? .float(text) : .integer(text), end)
        }
        if s == "\"" || s == "'" || s == "`" {
            let (value, end) = try lexString(at: i)
            return (.string(value), end)
        }
        for twoChar in ["==", "!=", "<=", ">=", "::"] where starts(with: twoChar, at: i) {
            return (.symbol(twoChar), i + 2)
        }
        if "+-*/%~|,()[]=<>".unicodeScalars.contains(s) {
            return (.symbol(String(Character(s))), i + 1)
        }
        throw TemplateSyntaxError("unexpected character `\(Character(s))`", at: location(of: i))
    }

    /// Digits, optionally `.digits`. Tera has no exponent notation and no leading zeros.
    private func lexNumber(at start: Int) throws -> (String, Bool, Int) {
        var i = start
        while let s = scalar(i), Self.isDigit(s) { i += 1 }
        var isFloat = false
        if scalar(i) == ".", let d = scalar(i + 1), Self.isDigit(d) {
            isFloat = true
            i += 1
            while let s = scalar(i), Self.isDigit(s) { i += 1 }
        }
        let literal = text(start..<i)
        if scalars[start] == "0", i - start > 1, let second = scalar(start + 1), Self.isDigit(second) {
            throw TemplateSyntaxError("invalid number `\(literal)`: numbers cannot start with 0", at: location(of: start))
        }
        return (literal, isFloat, i)
    }

    /// Strings have no escape sequences in Tera: they end at the next matching quote.
    private func lexString(at start: Int) throws -> (String, Int) {
        let quote = scalars[start]
        var i = start + 1
        while i < scalars.count, scalars[i] != quote { i += 1 }
        guard i < scalars.count else {
            throw TemplateSyntaxError("unclosed string literal: expected `\(Character(quote))`", at: location(of: start))
        }
        return (text(start + 1..<i), i + 1)
    }

    private func lexIdentifierOrPath(at start: Int) throws -> (Token.Kind, Int) {
        let (path, end) = try lexPath(at: start)
        if path.segments.isEmpty { return (.word(path.root), end) }
        return (.path(path), end)
    }

    /// `ident ( .chars+ | [int] | ["string"] | [path] )*`, written without spaces.
    private func lexPath(at start: Int, depth: Int = 0) throws -> (VariablePath, Int) {
        guard depth <= maxSubscriptDepth else {
            throw TemplateSyntaxError(
                "subscripts nested too deeply: at most \(maxSubscriptDepth) levels are allowed",
                at: location(of: start))
        }
        var i = start
        while let s = scalar(i), Self.isIdentifierChar(s) { i += 1 }
        let root = text(start..<i)
        var segments: [PathSegment] = []
        if Self.operatorWords.contains(root) {
            return (VariablePath(root: root, segments: [], text: root), i)
        }
        while true {
            if scalar(i) == ".", let s = scalar(i + 1), Self.isIdentifierChar(s) {
                let keyStart = i + 1
                i = keyStart
                while let c = scalar(i), Self.isIdentifierChar(c) { i += 1 }
                let key = text(keyStart..<i)
                segments.append(.key(key, evaluatedForm: "." + key))
            } else if scalar(i) == "[" {
                let (segment, end) = try lexSubscript(at: i, depth: depth)
                segments.append(segment)
                i = end
            } else {
                break
            }
        }
        return (VariablePath(root: root, segments: segments, text: text(start..<i)), i)
    }

    private func lexSubscript(at open: Int, depth: Int) throws -> (PathSegment, Int) {
        let i = open + 1
        guard let s = scalar(i) else {
            throw TemplateSyntaxError("unclosed `[`", at: location(of: open))
        }
        let segment: PathSegment
        var end: Int
        if s == "\"" || s == "'" || s == "`" {
            let (value, e) = try lexString(at: i)
            segment = .key(value, evaluatedForm: ".\"\(value)\"")
            end = e
        } else if Self.isDigit(s) || (s == "-" && scalar(i + 1).map(Self.isDigit) == true) {
            var j = s == "-" ? i + 1 : i
            while let c = scalar(j), Self.isDigit(c) { j += 1 }
            let digits = text(i..<j)
            segment = .key(digits, evaluatedForm: "." + digits)
            end = j
        } else if Self.isIdentifierStart(s) {
            let (inner, e) = try lexPath(at: i, depth: depth + 1)
            segment = .variable(inner)
            end = e
        } else {
            throw TemplateSyntaxError(
                "invalid subscript: expected an integer, a string or a variable inside `[]`",
                at: location(of: i))
        }
        guard scalar(end) == "]" else {
            throw TemplateSyntaxError(
                "expected `]` to close the subscript (no spaces are allowed inside `[]`)",
                at: location(of: min(end, scalars.count)))
        }
        end += 1
        return (segment, end)
    }
}
