import BrokkrCommon
import Foundation

/// Rewrites an ECMA-262 pattern into ICU syntax with the same meaning.
///
/// Differences handled:
/// - `\d`, `\w` (and negations) are ASCII-only in ECMA-262 but Unicode-aware in ICU;
/// - `\s` in ECMA-262 is a fixed list that includes U+FEFF and `\v`; `\v` itself is one character;
/// - `$` means end of input in ECMA-262 (no multiline flag), but also "before a final newline" in ICU;
/// - `\0` is NUL, `\u{…}` is a code point escape, `\b` in a class is backspace;
/// - ECMA-262 treats `[`, `&&`, `[:…:]`, `{…}` inside classes and stray `{`, `}`, `]` outside them
///   literally, while ICU gives them meaning (nested sets, set operations, quantifiers);
/// - `[]` matches nothing and `[^]` matches anything in ECMA-262; ICU rejects both.
enum ECMARegexTranslator {
    private static let asciiDigit = "0-9"
    private static let asciiWord = "a-zA-Z0-9_"
    private static let ecmaWhitespace =
        "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}"

    static func icuPattern(fromECMA pattern: String) -> String {
        let chars = Array(pattern.unicodeScalars)
        var out = ""
        var index = 0
        var inClass = false

        func append(_ scalar: Unicode.Scalar) { out.unicodeScalars.append(scalar) }

        while index < chars.count {
            let c = chars[index]
            if c == "\\", index + 1 < chars.count {
                let (replacement, consumed) = translateEscape(chars, at: index, inClass: inClass)
                out += replacement
                index += consumed
                continue
            }
            if inClass {
                switch c {
                case "]":
                    inClass = false
                    out += "]"
                case "-", "^":
                    append(c)
                default:
                    // Escape ASCII punctuation ICU might read as set syntax; escaping it is always literal.
                    if c.isASCII, !c.properties.isAlphabetic, !("0"..."9").contains(c), c.value > 0x20 {
                        out += "\\"
                    }
                    append(c)
                }
                index += 1
                continue
            }
            switch c {
            case "[":
                let negated = index + 1 < chars.count && chars[index + 1] == "^"
                let contentStart = index + (negated ? 2 : 1)
                if contentStart < chars.count, chars[contentStart] == "]" {
                    out += negated ? "[\\x{0}-\\x{10FFFF}]" : "(?!)"
                    index = contentStart + 1
                    continue
                }
                out += negated ? "[^" : "["
                inClass = true
                index = contentStart
                continue
            case "$":
                out += "\\z"
            case "{":
                if let length = quantifierLength(chars, at: index) {
                    out += String(String.UnicodeScalarView(chars[index..<index + length]))
                    index += length
                    continue
                }
                out += "\\{"
            case "}", "]":
                out += "\\"
                append(c)
            default:
                append(c)
            }
            index += 1
        }
        return out
    }

    /// Length of a `{n}`, `{n,}` or `{n,m}` quantifier starting at `start`, or nil if `{` is literal.
    private static func quantifierLength(_ chars: [Unicode.Scalar], at start: Int) -> Int? {
        var i = start + 1
        var sawDigit = false
        while i < chars.count, ("0"..."9").contains(chars[i]) {
            i += 1
            sawDigit = true
        }
        guard sawDigit, i < chars.count else { return nil }
        if chars[i] == "," {
            i += 1
            while i < chars.count, ("0"..."9").contains(chars[i]) { i += 1 }
        }
        guard i < chars.count, chars[i] == "}" else { return nil }
        return i - start + 1
    }

    /// Translates the escape at `start` (a backslash). Returns the ICU text and how many scalars it used.
    private static func translateEscape(_ chars: [Unicode.Scalar], at start: Int, inClass: Bool) -> (String, Int) {
        let e = chars[start + 1]
        func set(_ body: String, negated: Bool) -> String {
            // Inside a class a positive set is spliced in; a negated one becomes an ICU nested set.
            if inClass, !negated { return body }
            return negated ? "[^\(body)]" : "[\(body)]"
        }
        switch e {
        case "d": return (set(asciiDigit, negated: false), 2)
        case "D": return (set(asciiDigit, negated: true), 2)
        case "w": return (set(asciiWord, negated: false), 2)
        case "W": return (set(asciiWord, negated: true), 2)
        case "s": return (set(ecmaWhitespace, negated: false), 2)
        case "S": return (set(ecmaWhitespace, negated: true), 2)
        case "v": return ("\\x{0B}", 2)
        case "b" where inClass: return ("\\x{08}", 2)
        case "0" where start + 2 >= chars.count || !("0"..."9").contains(chars[start + 2]):
            return ("\\x{0}", 2)
        case "p", "P":
            // Unicode property escapes (`\p{Letter}`) pass through; ICU knows the same property names.
            if start + 2 < chars.count, chars[start + 2] == "{",
                let close = chars[(start + 3)...].firstIndex(of: "}")
            {
                return (String(String.UnicodeScalarView(chars[start...close])), close - start + 1)
            }
            return ("\\" + String(e), 2)
        case "u":
            // `\u{1F600}` → `\x{1F600}`; `\uXXXX` is understood by ICU as is.
            if start + 2 < chars.count, chars[start + 2] == "{",
                let close = chars[(start + 3)...].firstIndex(of: "}")
            {
                let hex = String(String.UnicodeScalarView(chars[(start + 3)..<close]))
                return ("\\x{\(hex)}", close - start + 1)
            }
            return ("\\u", 2)
        default:
            var text = "\\"
            text.unicodeScalars.append(e)
            return (text, 2)
        }
    }
}
