import BrokkrCommon
import BrokkrJSONSchema

// Tera's `striptags`: removes every match of `(<!--.*?-->|<[^>]*>)`, scanning left to right.
// A backtracking regex takes quadratic time on input such as many `<` with no `>` (each one scans
// to the end); the next `>`, `-->` and line break after each position are computed once instead,
// so each candidate is decided in constant time.

enum TagStripping {
    /// What `.` does not match (ICU's line terminators, as the regex used before).
    private static func isLineTerminator(_ c: UInt32) -> Bool {
        (0x0A...0x0D).contains(c) || c == 0x85 || c == 0x2028 || c == 0x2029
    }

    static func strip(_ text: String) -> String {
        let s = text.unicodeScalars.map(\.value)
        let n = s.count
        // next*[i]: the first position at or after i where it occurs (n if none).
        var nextClose = [Int](repeating: n, count: n + 1)
        var nextCommentEnd = [Int](repeating: n, count: n + 1)
        var nextLineBreak = [Int](repeating: n, count: n + 1)
        if n > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                nextClose[i] = s[i] == 0x3E ? i : nextClose[i + 1]
                nextLineBreak[i] = isLineTerminator(s[i]) ? i : nextLineBreak[i + 1]
                let endsComment = i + 2 < n && s[i] == 0x2D && s[i + 1] == 0x2D && s[i + 2] == 0x3E
                nextCommentEnd[i] = endsComment ? i : nextCommentEnd[i + 1]
            }
        }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < n {
            guard s[i] == 0x3C else {  // <
                out.append(Unicode.Scalar(s[i])!)
                i += 1
                continue
            }
            if i + 3 < n, s[i + 1] == 0x21, s[i + 2] == 0x2D, s[i + 3] == 0x2D {  // <!--
                let end = nextCommentEnd[i + 4]
                if end < n, end < nextLineBreak[i + 4] {
                    i = end + 3
                    continue
                }
            }
            if nextClose[i + 1] < n {
                i = nextClose[i + 1] + 1
                continue
            }
            out.append(Unicode.Scalar(s[i])!)
            i += 1
        }
        return String(out)
    }
}
