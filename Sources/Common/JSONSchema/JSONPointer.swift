import BrokkrCommon
import Foundation

/// RFC 6901 JSON Pointer helpers. Pointers are kept as arrays of unescaped reference tokens and only
/// turned into text when a violation is reported or an error is thrown.
enum JSONPointer {
    /// `["a/b", "c~d"]` → `"/a~1b/c~0d"`; `[]` → `""`.
    static func string(from tokens: [String]) -> String {
        var out = ""
        for token in tokens {
            out += "/"
            out += escape(token)
        }
        return out
    }

    static func escape(_ token: String) -> String {
        guard token.contains("~") || token.contains("/") else { return token }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func unescape(_ token: Substring) -> String {
        guard token.contains("~") else { return String(token) }
        return token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    /// Parses the fragment of a URI (`/$defs/foo%22bar`) into tokens: percent-decoding first, because the
    /// pointer sits inside a URI, then RFC 6901 unescaping. Returns nil when it is not a pointer.
    static func tokens(fromURIFragment fragment: String) -> [String]? {
        let decoded = fragment.removingPercentEncoding ?? fragment
        if decoded.isEmpty { return [] }
        guard decoded.hasPrefix("/") else { return nil }
        return decoded.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(unescape)
    }

    /// The value at `tokens` inside `root`, or nil when the pointer does not resolve.
    static func resolve(_ tokens: [String], in root: JSONValue) -> JSONValue? {
        var current = root
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let array):
                // RFC 6901: array indices are decimal without leading zeros.
                guard let index = Int(token), index >= 0, index < array.count,
                    token == "0" || !token.hasPrefix("0")
                else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }
}
