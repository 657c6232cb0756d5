import BrokkrCommon
import BrokkrJSONSchema
import Foundation

// How Tera sees and prints serde_json values, expressed on JSONValue.

extension JSONValue {
    /// Tera's truthiness: `false`, `null`, `0`, `0.0`, NaN, `""`, `[]` and `{}` are falsy.
    var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0 && !d.isNaN
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }

    var isNumber: Bool {
        switch self {
        case .int, .double: return true
        default: return false
        }
    }

    /// What `{{ value }}` prints (Tera's `ValueRender`):
    /// - strings verbatim (no quotes, no escaping: autoescape is off), `true`/`false`;
    /// - integers in decimal; floats like Rust's `Display`: shortest round-trip digits, never an
    ///   exponent, and no fraction for whole numbers (`{{ 2.0 }}` prints `2`, `{{ 3.5 }}` `3.5`);
    /// - `null` prints nothing;
    /// - arrays as `[a, b]` with each element printed by these rules (`["a", 1]` prints `[a, 1]`);
    /// - objects as `[object]`.
    var renderedText: String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return NumberFormatting.rustDisplay(d)
        case .string(let s): return s
        case .array(let a): return "[" + a.map(\.renderedText).joined(separator: ", ") + "]"
        case .object: return "[object]"
        }
    }

    /// serde_json's output: keys sorted by bytes (serde_json's default `BTreeMap`), floats as
    /// `ryu` prints them (`2.0`, `1e20`), `pretty` with two-space indentation.
    func jsonText(pretty: Bool = false) -> String {
        var out = ""
        writeJSON(to: &out, pretty: pretty, depth: 0)
        return out
    }

    private func writeJSON(to out: inout String, pretty: Bool, depth: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += NumberFormatting.serdeJSON(d)
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let elements):
            guard !elements.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: depth + 1) }
                element.writeJSON(to: &out, pretty: pretty, depth: depth + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: depth) }
            out += "]"
        case .object(let members):
            guard !members.isEmpty else {
                out += "{}"
                return
            }
            out += "{"
            for (i, key) in JSONValue.sortedKeys(members).enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: depth + 1) }
                JSONValue.writeString(key, to: &out)
                out += pretty ? ": " : ":"
                members[key]!.writeJSON(to: &out, pretty: pretty, depth: depth + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: depth) }
            out += "}"
        }
    }

    /// Object keys in serde_json's `BTreeMap` order (byte-wise), which is also Tera's iteration order.
    static func sortedKeys(_ object: [String: JSONValue]) -> [String] {
        object.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Follows keys into objects and indices into arrays, as Tera's variable lookup does.
    func descend(_ keys: some Sequence<String>) -> JSONValue? {
        var value = self
        for key in keys {
            switch value {
            case .object(let members):
                guard let next = members[key] else { return nil }
                value = next
            case .array(let elements):
                guard let i = JSONValue.arrayIndex(key), i < elements.count else { return nil }
                value = elements[i]
            default:
                return nil
            }
        }
        return value
    }

    /// serde_json's `parse_index`: plain decimal digits, no sign, no leading zero.
    static func arrayIndex(_ key: String) -> Int? {
        guard !key.isEmpty, key.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        if key.count > 1, key.hasPrefix("0") { return nil }
        return Int(key)
    }

    /// Tera's `dotted_pointer`, used by filters taking an `attribute`: `""` is the value itself,
    /// `a.b.0` walks objects and arrays.
    func dottedPointer(_ pointer: String) -> JSONValue? {
        if pointer.isEmpty { return self }
        let keys = pointer.split(separator: ".", omittingEmptySubsequences: true).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
        return descend(keys)
    }
}

/// Number printing in the two styles Tera output mixes.
enum NumberFormatting {
    /// Rust's `format!("{}", f64)`: used when Tera prints a value.
    static func rustDisplay(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let decimal = ShortestDecimal(value)
        let sign = decimal.negative ? "-" : ""
        guard !decimal.digits.isEmpty else { return sign + "0" }
        let digits = decimal.digits
        let point = decimal.pointPosition
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        let split = digits.index(digits.startIndex, offsetBy: point)
        return sign + String(digits[..<split]) + "." + String(digits[split...])
    }

    /// serde_json (ryu) float text: used by `json_encode` and where Tera stringifies a JSON number.
    static func serdeJSON(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        let decimal = ShortestDecimal(value)
        let sign = decimal.negative ? "-" : ""
        guard !decimal.digits.isEmpty else { return sign + "0.0" }
        let digits = decimal.digits
        let length = digits.count
        let kk = decimal.pointPosition  // value = 0.digits × 10^kk
        let k = kk - length  // value = digits × 10^k
        if k >= 0 && kk <= 16 {
            return sign + digits + String(repeating: "0", count: k) + ".0"
        }
        if kk > 0 && kk <= 16 {
            let split = digits.index(digits.startIndex, offsetBy: kk)
            return sign + String(digits[..<split]) + "." + String(digits[split...])
        }
        if kk > -5 && kk <= 0 {
            return sign + "0." + String(repeating: "0", count: -kk) + digits
        }
        let exponent = "e" + String(kk - 1)
        if length == 1 { return sign + digits + exponent }
        return sign + String(digits.prefix(1)) + "." + String(digits.dropFirst()) + exponent
    }
}

/// The shortest round-trip decimal digits of a finite double: value = ±0.digits × 10^pointPosition.
/// Swift's `description` and Rust both print the shortest digits that round-trip.
private struct ShortestDecimal {
    var negative: Bool
    var digits: String
    var pointPosition: Int

    init(_ value: Double) {
        negative = value.sign == .minus
        let text = "\(value.magnitude)"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
        }
        var integerPart = mantissa
        var fractionPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fractionPart = mantissa[mantissa.index(after: dot)...]
        }
        var all = Array(integerPart + fractionPart)
        var point = integerPart.count + exponent
        while let first = all.first, first == "0" {
            all.removeFirst()
            point -= 1
        }
        while let last = all.last, last == "0" { all.removeLast() }
        digits = String(all)
        pointPosition = all.isEmpty ? 0 : point
    }
}
