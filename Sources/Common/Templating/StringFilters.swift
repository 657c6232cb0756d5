import BrokkrCommon
import BrokkrJSONSchema
import Foundation

// Filters on strings, with the behaviour of Tera's `builtins/filters/string.rs`.

enum StringFilters {
    static let all: [String: FilterFunction] = [
        "upper": { value, args in .string(try text(value, args).uppercased()) },
        "lower": { value, args in .string(try text(value, args).lowercased()) },
        "trim": { value, args in .string(try text(value, args).trimmingWhitespace) },
        "trim_start": { value, args in .string(try text(value, args).trimmingLeadingWhitespace) },
        "trim_end": { value, args in .string(try text(value, args).trimmingTrailingWhitespace) },
        "trim_start_matches": { value, args in
            .string(ByteString.trimStartMatches(try text(value, args), unescapeSeparator(try args.requiredString("pat"))))
        },
        "trim_end_matches": { value, args in
            .string(ByteString.trimEndMatches(try text(value, args), unescapeSeparator(try args.requiredString("pat"))))
        },
        "truncate": truncate,
        "wordcount": { value, args in
            let words = try text(value, args).unicodeScalars.split(whereSeparator: { $0.properties.isWhitespace })
            return .int(Int64(words.count))
        },
        "replace": { value, args in
            let s = try text(value, args)
            let from = try args.requiredString("from")
            let to = try args.requiredString("to")
            try checkReplacementSize(s, from, to, args)
            return .string(ByteString.replace(s, from, with: to))
        },
        "capitalize": { value, args in .string(capitalize(try text(value, args))) },
        "title": { value, args in .string(titleCase(try text(value, args))) },
        "linebreaksbr": { value, args in
            let s = try text(value, args)
            return .string(ByteString.replace(ByteString.replace(s, "\r\n", with: "<br>"), "\n", with: "<br>"))
        },
        "indent": indent,
        "striptags": { value, args in
            .string(TagStripping.strip(try text(value, args)))
        },
        "spaceless": { value, args in
            .string(replaceMatches(of: ">\\p{White_Space}+<", in: try text(value, args), with: "><"))
        },
        "urlencode": { value, args in .string(percentEncode(try text(value, args), keeping: urlSafeBytes)) },
        "urlencode_strict": { value, args in .string(percentEncode(try text(value, args), keeping: alphanumericBytes)) },
        "escape": { value, args in .string(escapeHTML(try text(value, args))) },
        "escape_xml": { value, args in .string(escapeXML(try text(value, args))) },
        "slugify": { value, args in .string(slugify(try text(value, args))) },
        "addslashes": { value, args in
            var s = try text(value, args)
            s = ByteString.replace(s, "\\", with: "\\\\")
            s = ByteString.replace(s, "\"", with: "\\\"")
            return .string(ByteString.replace(s, "'", with: "\\'"))
        },
        "split": { value, args in
            let s = try text(value, args)
            let separator = unescapeSeparator(try args.requiredString("pat"))
            return .array(ByteString.split(s, by: separator).map(JSONValue.string))
        },
        // Extensions (not Tera 1.x filters): standard base64 with padding, of the UTF-8 bytes.
        "b64encode": { value, args in .string(Data(try text(value, args).utf8).base64EncodedString()) },
        "b64decode": { value, args in
            let s = try text(value, args)
            guard let data = Data(base64Encoded: s), let decoded = String(data: data, encoding: .utf8) else {
                throw EvaluationError("Filter `b64decode` was called on a value that isn't valid base64-encoded UTF-8: `\(s)`")
            }
            return .string(decoded)
        },
    ]

    private static func text(_ value: JSONValue, _ args: FilterArguments) throws -> String {
        try Convert.string(value, filter: args.filter)
    }

    /// Tera strings have no escapes, so `split`, `join` and `*_matches` turn a written `\n`/`\t` into
    /// a newline/tab.
    static func unescapeSeparator(_ text: String) -> String {
        ByteString.replace(ByteString.replace(text, "\\n", with: "\n"), "\\t", with: "\t")
    }

    /// Truncates to `length` grapheme clusters (default 255) and appends `end` (default "…").
    private static let truncate: FilterFunction = { value, args in
        let s = try text(value, args)
        let length = try args.unsigned("length") ?? 255
        let end = try args.string("end") ?? "…"
        guard length < s.count else { return .string(s) }
        return .string(String(s.prefix(length)) + end)
    }

    /// First scalar upper-cased, the rest lower-cased.
    private static func capitalize(_ s: String) -> String {
        guard let first = s.unicodeScalars.first else { return "" }
        let rest = String(s.unicodeScalars.dropFirst())
        return String(first).uppercased() + rest.lowercased()
    }

    /// Upper-cases the first letter of each word (letters, digits, `_` and `'` form words).
    private static func titleCase(_ s: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: "\\b([\\w'])([\\w']*)\\b") else { return s }
        let source = s as NSString
        var result = ""
        var last = 0
        for match in regex.matches(in: s, range: NSRange(location: 0, length: source.length)) {
            result += source.substring(with: NSRange(location: last, length: match.range.location - last))
            result += source.substring(with: match.range(at: 1)).uppercased()
            result += source.substring(with: match.range(at: 2)).lowercased()
            last = match.range.location + match.range.length
        }
        result += source.substring(from: last)
        return result
    }

    private static func replaceMatches(of pattern: String, in s: String, with template: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return s }
        return regex.stringByReplacingMatches(
            in: s, range: NSRange(location: 0, length: (s as NSString).length),
            withTemplate: template)
    }

    /// Tera 1.x `indent`: prefixes every line but the first (unless `first=true`) with `prefix`
    /// (default four spaces); blank lines stay empty unless `blank=true`. Lines are split like
    /// Rust's `str::lines` (a trailing newline is dropped, `\r\n` becomes `\n`).
    /// `replace` can multiply its input's size (`to` much longer than `from`, or an empty `from`
    /// matching between every character); the exact result size is checked before it is built.
    private static func checkReplacementSize(_ s: String, _ from: String, _ to: String, _ args: FilterArguments) throws {
        let growth = to.utf8.count - from.utf8.count
        guard growth > 0 else { return }
        let size = s.utf8.count
        let maximumMatches = from.isEmpty ? size + 1 : size / from.utf8.count
        guard size + maximumMatches * growth > args.maxBytes else { return }
        let matches = ByteString.matches(of: Array(from.utf8), in: Array(s.utf8)).count
        try args.checkProjectedSize(size + matches * growth)
    }

    private static let indent: FilterFunction = { value, args in
        let s = try text(value, args)
        let prefix = try args.string("prefix") ?? "    "
        let first = try args.bool("first") ?? false
        let blank = try args.bool("blank") ?? false
        // At most one prefix per line: fail before building an output of many times the input.
        let lines = s.utf8.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        try args.checkProjectedSize(s.utf8.count + lines.multipliedReportingOverflow(by: prefix.utf8.count).partialValue)
        var out = ""
        for (i, line) in rustLines(s).enumerated() {
            if i == 0 {
                if first { out += prefix }
            } else {
                out += "\n"
                if blank || !line.trimmingLeadingWhitespace.isEmpty { out += prefix }
            }
            out += line
        }
        return .string(out)
    }

    /// Rust's `str::lines`.
    static func rustLines(_ s: String) -> [String] {
        var lines = s.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var scalars = String.UnicodeScalarView(line)
            if scalars.last == "\r" { scalars.removeLast() }
            return String(scalars)
        }
        if s.unicodeScalars.last == "\n" || s.isEmpty { lines.removeLast() }
        return lines
    }

    /// Bytes `urlencode` leaves alone: Python's `quote` set with `/` kept (Tera's PYTHON_ENCODE_SET).
    private static let urlSafeBytes: Set<UInt8> = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/%".utf8)
    private static let alphanumericBytes: Set<UInt8> = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    private static func percentEncode(_ s: String, keeping safe: Set<UInt8>) -> String {
        var out = ""
        for byte in s.utf8 {
            if safe.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    static func escapeHTML(_ s: String) -> String {
        s.escaped(["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#x27;", "/": "&#x2F;"])
    }

    private static func escapeXML(_ s: String) -> String {
        s.escaped(["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&apos;"])
    }

    /// The `slug` crate's algorithm: ASCII letters and digits kept (lower-cased), every other run
    /// becomes one `-`, no leading or trailing `-`. Non-ASCII characters are transliterated first
    /// (`é` → `e`, `世` → `shi`); the slug crate uses `deunicode` there, this uses ICU's
    /// Latin-ASCII transliteration, which agrees for accented Latin and CJK.
    static func slugify(_ s: String) -> String {
        var slug: [UInt8] = []
        var previousWasDash = true
        func push(_ byte: UInt8) {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                slug.append(byte)
                previousWasDash = false
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                slug.append(byte + 32)
                previousWasDash = false
            default:
                if !previousWasDash {
                    slug.append(UInt8(ascii: "-"))
                    previousWasDash = true
                }
            }
        }
        for scalar in s.unicodeScalars {
            if scalar.isASCII {
                push(UInt8(scalar.value))
            } else {
                var ascii = String(scalar).applyingTransform(StringTransform("Any-Latin; Latin-ASCII"), reverse: false)
                // deunicode spells each ideograph as a separate word ("世界" -> "Shi Jie ").
                if scalar.properties.isIdeographic { ascii = ascii.map { $0 + " " } }
                let bytes = ascii.flatMap { $0.allSatisfy(\.isASCII) ? Array($0.utf8) : nil } ?? [UInt8(ascii: "-")]
                for byte in bytes.isEmpty ? [UInt8(ascii: "-")] : bytes { push(byte) }
            }
        }
        if slug.last == UInt8(ascii: "-") { slug.removeLast() }
        return String(decoding: slug, as: UTF8.self)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
