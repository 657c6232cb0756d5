import BrokkrCommon
import BrokkrJSONSchema

// Byte-wise (UTF-8) substring operations with Rust `str` semantics. Swift's String methods compare
// by Unicode canonical equivalence and treat "\r\n" as one character; Rust compares bytes, and
// Tera templates must give the same results as Rust does.

enum ByteString {
    /// Non-overlapping matches of `needle`, left to right. An empty needle matches at every
    /// character boundary, as in Rust (`"ab".replace("", "-")` is `"-a-b-"`).
    static func matches(of needle: [UInt8], in haystack: [UInt8]) -> [Range<Int>] {
        if needle.isEmpty {
            var boundaries: [Range<Int>] = []
            for i in 0...haystack.count where i == haystack.count || !isContinuationByte(haystack[i]) {
                boundaries.append(i..<i)
            }
            return boundaries
        }
        guard haystack.count >= needle.count else { return [] }
        // Knuth–Morris–Pratt: linear in the haystack whatever the needle (a naive scan of
        // "aaa…a" for "aa…ab" takes time proportional to the product of their lengths).
        let failure = prefixFunction(needle)
        var result: [Range<Int>] = []
        var matched = 0
        for (i, byte) in haystack.enumerated() {
            while matched > 0, byte != needle[matched] { matched = failure[matched - 1] }
            if byte == needle[matched] { matched += 1 }
            if matched == needle.count {
                result.append(i + 1 - needle.count..<i + 1)
                matched = 0  // matches do not overlap
            }
        }
        return result
    }

    /// `failure[i]`: length of the longest proper prefix of `needle[...i]` that is also its suffix.
    private static func prefixFunction(_ needle: [UInt8]) -> [Int] {
        var failure = [Int](repeating: 0, count: needle.count)
        var k = 0
        for i in needle.indices.dropFirst() {
            while k > 0, needle[i] != needle[k] { k = failure[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            failure[i] = k
        }
        return failure
    }

    private static func isContinuationByte(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    static func contains(_ haystack: String, _ needle: String) -> Bool {
        needle.isEmpty || !matches(of: Array(needle.utf8), in: Array(haystack.utf8)).isEmpty
    }

    static func hasPrefix(_ text: String, _ prefix: String) -> Bool {
        text.utf8.starts(with: prefix.utf8)
    }

    static func hasSuffix(_ text: String, _ suffix: String) -> Bool {
        text.utf8.reversed().starts(with: suffix.utf8.reversed())
    }

    /// Rust's `str::replace`.
    static func replace(_ text: String, _ from: String, with to: String) -> String {
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        var last = 0
        for match in matches(of: Array(from.utf8), in: bytes) {
            result += bytes[last..<match.lowerBound]
            result += Array(to.utf8)
            last = match.upperBound
        }
        result += bytes[last...]
        return string(result[...])
    }

    /// Rust's `str::split` with a string pattern.
    static func split(_ text: String, by separator: String) -> [String] {
        let bytes = Array(text.utf8)
        var parts: [String] = []
        var last = 0
        for match in matches(of: Array(separator.utf8), in: bytes) {
            // An empty separator also matches at 0 and at the end, giving empty first/last parts.
            parts.append(string(bytes[last..<match.lowerBound]))
            last = match.upperBound
        }
        parts.append(string(bytes[last...]))
        return parts
    }

    /// Rust's `trim_start_matches` with a string pattern: removes the prefix repeatedly.
    static func trimStartMatches(_ text: String, _ pattern: String) -> String {
        let bytes = Array(text.utf8)
        let pat = Array(pattern.utf8)
        guard !pat.isEmpty else { return text }
        var start = 0
        while bytes.count - start >= pat.count, bytes[start..<start + pat.count].elementsEqual(pat) {
            start += pat.count
        }
        return string(bytes[start...])
    }

    /// Rust's `trim_end_matches` with a string pattern: removes the suffix repeatedly.
    static func trimEndMatches(_ text: String, _ pattern: String) -> String {
        let bytes = Array(text.utf8)
        let pat = Array(pattern.utf8)
        guard !pat.isEmpty else { return text }
        var end = bytes.count
        while end >= pat.count, bytes[end - pat.count..<end].elementsEqual(pat) {
            end -= pat.count
        }
        return string(bytes[..<end])
    }
}

extension String {
    /// Rust's `trim_start`: drops leading Unicode White_Space (newlines included).
    var trimmingLeadingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...])
    }

    /// Rust's `trim_end`: drops trailing Unicode White_Space (newlines included).
    var trimmingTrailingWhitespace: String {
        let scalars = unicodeScalars
        guard let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[...last])
    }

    /// Rust's `trim`.
    var trimmingWhitespace: String { trimmingLeadingWhitespace.trimmingTrailingWhitespace }
}
