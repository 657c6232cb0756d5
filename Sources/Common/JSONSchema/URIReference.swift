import BrokkrCommon
import Foundation

/// A URI reference split into its RFC 3986 components, with reference resolution (RFC 3986 section 5.2).
///
/// Foundation's `URL(string:relativeTo:)` is not used because it mishandles URNs, empty fragments and
/// some relative forms that JSON Schema identifiers rely on (`urn:uuid:…#/$defs/x`, `#foo`, `/abs/path`).
struct URIReference: Hashable, Sendable, CustomStringConvertible {
    var scheme: String?
    var authority: String?
    var path: String
    var query: String?
    var fragment: String?

    init(scheme: String?, authority: String?, path: String, query: String?, fragment: String?) {
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.query = query
        self.fragment = fragment
    }

    /// Splits `text` following the grammar of RFC 3986 appendix B. Never fails: any string is a reference.
    init(_ text: String) {
        var rest = Substring(text)

        if let hashIndex = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hashIndex)...])
            rest = rest[..<hashIndex]
        } else {
            fragment = nil
        }
        if let questionIndex = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: questionIndex)...])
            rest = rest[..<questionIndex]
        } else {
            query = nil
        }
        if let colonIndex = rest.firstIndex(of: ":"), URIReference.isScheme(rest[..<colonIndex]) {
            scheme = String(rest[..<colonIndex])
            rest = rest[rest.index(after: colonIndex)...]
        } else {
            scheme = nil
        }
        if rest.hasPrefix("//") {
            let afterSlashes = rest.dropFirst(2)
            let end = afterSlashes.firstIndex(of: "/") ?? afterSlashes.endIndex
            authority = String(afterSlashes[..<end])
            rest = afterSlashes[end...]
        } else {
            authority = nil
        }
        path = String(rest)
    }

    private static func isScheme(_ candidate: Substring) -> Bool {
        guard let first = candidate.unicodeScalars.first, first.isASCIILetter else { return false }
        return candidate.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0) }
    }

    var isAbsolute: Bool { scheme != nil }

    /// The same reference with no fragment: the URI of the resource it points into.
    var withoutFragment: URIReference {
        var copy = self
        copy.fragment = nil
        return copy
    }

    var description: String {
        var out = ""
        if let scheme { out += scheme + ":" }
        if let authority { out += "//" + authority }
        out += path
        if let query { out += "?" + query }
        if let fragment { out += "#" + fragment }
        return out
    }

    /// Resolves this reference against `base` (RFC 3986 section 5.2.2, strict mode).
    func resolved(against base: URIReference) -> URIReference {
        if scheme != nil {
            return URIReference(
                scheme: scheme, authority: authority, path: URIReference.removingDotSegments(path),
                query: query, fragment: fragment)
        }
        if authority != nil {
            return URIReference(
                scheme: base.scheme, authority: authority, path: URIReference.removingDotSegments(path),
                query: query, fragment: fragment)
        }
        if path.isEmpty {
            return URIReference(
                scheme: base.scheme, authority: base.authority, path: base.path,
                query: query ?? base.query, fragment: fragment)
        }
        let mergedPath: String
        if path.hasPrefix("/") {
            mergedPath = URIReference.removingDotSegments(path)
        } else {
            mergedPath = URIReference.removingDotSegments(URIReference.merge(base: base, relativePath: path))
        }
        return URIReference(scheme: base.scheme, authority: base.authority, path: mergedPath, query: query, fragment: fragment)
    }

    private static func merge(base: URIReference, relativePath: String) -> String {
        if base.authority != nil, base.path.isEmpty { return "/" + relativePath }
        guard let lastSlash = base.path.lastIndex(of: "/") else { return relativePath }
        return String(base.path[...lastSlash]) + relativePath
    }

    /// Removes the `.` and `..` segments of a path (RFC 3986 section 5.2.4).
    private static func removingDotSegments(_ path: String) -> String {
        guard path.contains(".") else { return path }
        var input = Substring(path)
        var output: [Substring] = []
        var outputString = ""
        while !input.isEmpty {
            if input.hasPrefix("../") {
                input = input.dropFirst(3)
            } else if input.hasPrefix("./") {
                input = input.dropFirst(2)
            } else if input.hasPrefix("/./") {
                input = input.dropFirst(2)
            } else if input == "/." {
                input = "/"
            } else if input.hasPrefix("/../") || input == "/.." {
                input = input == "/.." ? "/" : input.dropFirst(3)
                if !output.isEmpty { output.removeLast() }
            } else if input == "." || input == ".." {
                input = ""
            } else {
                // Move the first segment (with its leading "/", if any) to the output.
                let start = input.hasPrefix("/") ? input.index(after: input.startIndex) : input.startIndex
                let end = input[start...].firstIndex(of: "/") ?? input.endIndex
                output.append(input[..<end])
                input = input[end...]
            }
        }
        for segment in output { outputString += segment }
        return outputString
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
