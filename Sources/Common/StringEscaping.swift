/// Escaping by table: every escaper here (JSON, HTML, XML, Go string literals) is a scalar-to-text
/// table plus, for JSON, a rule for the remaining control characters.
extension String {
    /// The string with each scalar that `table` names replaced by its text, and each other scalar by
    /// what `other` returns for it (itself when nil).
    public func escaped(_ table: [Unicode.Scalar: String], other: (Unicode.Scalar) -> String? = { _ in nil }) -> String {
        var out = ""
        for scalar in unicodeScalars {
            if let replacement = table[scalar] ?? other(scalar) {
                out += replacement
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
