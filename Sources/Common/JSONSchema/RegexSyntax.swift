import BrokkrCommon

// Parses the part of ECMA-262 regular expression syntax that can be matched in linear time: everything
// except backreferences and lookaround. Patterns outside it (or in a form this parser does not know)
// make `parse` return nil, and the caller uses the bounded fallback matcher instead.

/// A set of Unicode scalars: ranges plus predicates (`\p{…}`, `\D` inside a class), maybe negated.
struct ScalarSet: Sendable {
    var ranges: [ClosedRange<UInt32>] = []
    var predicates: [@Sendable (Unicode.Scalar) -> Bool] = []
    var negated = false

    func contains(_ value: UInt32) -> Bool {
        var found = ranges.contains { $0.contains(value) }
        if !found, !predicates.isEmpty, let scalar = Unicode.Scalar(value) {
            found = predicates.contains { $0(scalar) }
        }
        return found != negated
    }

    // ECMA-262 classes: ASCII digits and word characters, and a fixed list of white space.
    static let digits = ScalarSet(ranges: [0x30...0x39])
    static let word = ScalarSet(ranges: [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    static let whitespace = ScalarSet(ranges: [
        0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A, 0x2028...0x2029,
        0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
    ])
    /// `.`: anything but a line terminator.
    static let dot = ScalarSet(ranges: [0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029], negated: true)
    static let everything = ScalarSet(ranges: [0...0x10FFFF])
    static let nothing = ScalarSet()

    var inverted: ScalarSet {
        var copy = self
        copy.negated.toggle()
        return copy
    }

    /// Membership as one predicate, to put a negated set inside a class.
    var predicate: @Sendable (Unicode.Scalar) -> Bool {
        let set = self
        return { set.contains($0.value) }
    }
}

indirect enum RegexNode: Sendable {
    case empty
    case scalar(UInt32)
    case set(ScalarSet)
    case sequence([RegexNode])
    case alternation([RegexNode])
    case repeated(RegexNode, min: Int, max: Int?)
    case inputStart
    case inputEnd
    case wordBoundary(negated: Bool)
}

struct RegexSyntaxParser {
    private let chars: [UInt32]
    private var index = 0
    private var depth = 0

    /// Groups nest at most this deep here (the parser and compiler recurse once per group); deeper
    /// patterns go to the fallback matcher.
    static let maxGroupDepth = 100
    /// Counted repetitions larger than this go to the fallback matcher (each copy is compiled).
    static let maxCount = 1_000

    private struct Unsupported: Error {}

    /// The pattern's tree, or nil when it needs the fallback matcher.
    static func parse(_ pattern: String) -> RegexNode? {
        var parser = RegexSyntaxParser(chars: pattern.unicodeScalars.map(\.value))
        guard let node = try? parser.parseDisjunction(), parser.index == parser.chars.count else { return nil }
        return node
    }

    private init(chars: [UInt32]) {
        self.chars = chars
    }

    private var current: UInt32? { index < chars.count ? chars[index] : nil }

    private func peek(_ offset: Int) -> UInt32? {
        index + offset < chars.count ? chars[index + offset] : nil
    }

    private mutating func consume(_ scalar: Unicode.Scalar) -> Bool {
        guard current == scalar.value else { return false }
        index += 1
        return true
    }

    // MARK: - Structure

    private mutating func parseDisjunction() throws -> RegexNode {
        var alternatives = [try parseAlternative()]
        while consume("|") { alternatives.append(try parseAlternative()) }
        return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
    }

    private mutating func parseAlternative() throws -> RegexNode {
        var terms: [RegexNode] = []
        while let c = current, c != 0x7C /* | */, c != 0x29 /* ) */ {
            terms.append(try parseTerm())
        }
        return terms.count == 1 ? terms[0] : (terms.isEmpty ? .empty : .sequence(terms))
    }

    private mutating func parseTerm() throws -> RegexNode {
        let c = current!
        switch c {
        case 0x5E:  // ^
            index += 1
            return .inputStart
        case 0x24:  // $
            index += 1
            return .inputEnd
        case 0x5C where peek(1) == 0x62 || peek(1) == 0x42:  // \b \B
            index += 2
            return .wordBoundary(negated: chars[index - 1] == 0x42)
        default:
            let atom = try parseAtom()
            return try parseQuantifier(atom)
        }
    }

    private mutating func parseQuantifier(_ atom: RegexNode) throws -> RegexNode {
        var bounds: (Int, Int?)
        switch current {
        case 0x2A:
            bounds = (0, nil)
            index += 1  // *
        case 0x2B:
            bounds = (1, nil)
            index += 1  // +
        case 0x3F:
            bounds = (0, 1)
            index += 1  // ?
        case 0x7B:  // {n}, {n,}, {n,m}; otherwise a literal `{`
            guard let counted = try parseCountedQuantifier() else { return atom }
            bounds = counted
        default:
            return atom
        }
        _ = consume("?")  // laziness does not change whether a match exists
        if let c = current, c == 0x2A || c == 0x2B || c == 0x3F { throw Unsupported() }
        return .repeated(atom, min: bounds.0, max: bounds.1)
    }

    private mutating func parseCountedQuantifier() throws -> (Int, Int?)? {
        let start = index
        index += 1
        guard let low = parseDecimal() else {
            index = start
            return nil
        }
        var high: Int? = low
        if consume(",") { high = parseDecimal() }
        guard consume("}") else {
            index = start
            return nil
        }
        guard low <= Self.maxCount, (high ?? 0) <= Self.maxCount else { throw Unsupported() }
        if let high, high < low { throw Unsupported() }
        return (low, high)
    }

    private mutating func parseDecimal() -> Int? {
        var value: Int?
        while let c = current, (0x30...0x39).contains(c) {
            value = min((value ?? 0) * 10 + Int(c - 0x30), Int(Int32.max))
            index += 1
        }
        return value
    }

    private mutating func parseAtom() throws -> RegexNode {
        let c = current!
        index += 1
        switch c {
        case 0x2E: return .set(.dot)  // .
        case 0x28: return try parseGroup()  // (
        case 0x5B: return .set(try parseClass())  // [
        case 0x5C: return try parseAtomEscape()  // \
        case 0x2A, 0x2B, 0x3F: throw Unsupported()  // a quantifier with nothing to repeat
        default: return .scalar(c)  // `]`, `}`, `{` are literal here
        }
    }

    private mutating func parseGroup() throws -> RegexNode {
        if consume("?") {
            if consume(":") {
                // non-capturing
            } else if current == 0x3C /* < */, let next = peek(1), next != 0x3D, next != 0x21 {
                // `(?<name>…)`: a named group; the name does not matter for matching.
                index += 1
                while let c = current, c != 0x3E /* > */ { index += 1 }
                guard consume(">") else { throw Unsupported() }
            } else {
                throw Unsupported()  // lookaround and anything else
            }
        }
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxGroupDepth else { throw Unsupported() }
        let inner = try parseDisjunction()
        guard consume(")") else { throw Unsupported() }
        return inner
    }

    // MARK: - Escapes

    private mutating func parseAtomEscape() throws -> RegexNode {
        guard let e = current else { throw Unsupported() }
        if let set = try parseClassEscape() { return .set(set) }
        // Backreferences (`\1`, `\k<name>`) need backtracking.
        if (0x31...0x39).contains(e) || e == 0x6B /* k */ { throw Unsupported() }
        return .scalar(try parseCharacterEscape(inClass: false))
    }

    /// `\d \D \w \W \s \S` by the letter after the backslash; the capital is the complement.
    private static let shorthandClasses: [UInt32: ScalarSet] = [
        0x64: .digits, 0x44: ScalarSet.digits.inverted,  // d D
        0x77: .word, 0x57: ScalarSet.word.inverted,  // w W
        0x73: .whitespace, 0x53: ScalarSet.whitespace.inverted,  // s S
    ]

    /// `\d \D \w \W \s \S \p{…} \P{…}` (after the backslash), or nil for other escapes.
    private mutating func parseClassEscape() throws -> ScalarSet? {
        let e = current!
        if let set = Self.shorthandClasses[e] {
            index += 1
            return set
        }
        switch e {
        case 0x70, 0x50:  // p P
            guard peek(1) == 0x7B /* { */ else { throw Unsupported() }
            let nameStart = index + 2
            var end = nameStart
            while end < chars.count, chars[end] != 0x7D /* } */ { end += 1 }
            guard end < chars.count else { throw Unsupported() }
            let name = String(String.UnicodeScalarView(chars[nameStart..<end].compactMap(Unicode.Scalar.init)))
            guard let predicate = UnicodePropertyNames.predicate(name) else { throw Unsupported() }
            index = end + 1
            let set = ScalarSet(predicates: [predicate])
            return e == 0x50 ? set.inverted : set
        default:
            return nil
        }
    }

    /// A single-character escape (after the backslash).
    private mutating func parseCharacterEscape(inClass: Bool) throws -> UInt32 {
        let e = chars[index]
        index += 1
        switch e {
        case 0x74: return 0x09  // t
        case 0x6E: return 0x0A  // n
        case 0x76: return 0x0B  // v
        case 0x66: return 0x0C  // f
        case 0x72: return 0x0D  // r
        case 0x62 where inClass: return 0x08  // \b in a class is backspace
        case 0x30:  // \0, not followed by a digit
            if let next = current, (0x30...0x39).contains(next) { throw Unsupported() }
            return 0
        case 0x63:  // \cX
            guard let letter = current, (0x41...0x5A).contains(letter) || (0x61...0x7A).contains(letter) else {
                throw Unsupported()
            }
            index += 1
            return letter % 32
        case 0x78:  // \xHH
            return try parseHex(digits: 2)
        case 0x75:  // \uHHHH, \u{H…}, and surrogate pairs written as two \u escapes
            if consume("{") {
                var value: UInt32 = 0
                var count = 0
                while let c = current, let digit = Self.hexValue(c) {
                    value = value * 16 + digit
                    count += 1
                    index += 1
                    guard value <= 0x10FFFF else { throw Unsupported() }
                }
                guard count > 0, consume("}") else { throw Unsupported() }
                return value
            }
            let high = try parseHex(digits: 4)
            if (0xD800...0xDBFF).contains(high), current == 0x5C, peek(1) == 0x75 {
                let save = index
                index += 2
                if let low = try? parseHex(digits: 4), (0xDC00...0xDFFF).contains(low) {
                    return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                }
                index = save
            }
            if (0xD800...0xDFFF).contains(high) { throw Unsupported() }  // a lone surrogate never matches a scalar
            return high
        default:
            if (0x31...0x39).contains(e) || (e >= 0x41 && e <= 0x5A) || (e >= 0x61 && e <= 0x7A) {
                throw Unsupported()  // backreferences and unknown letter escapes
            }
            return e  // identity escape: `\.`, `\/`, `\-`, …
        }
    }

    private mutating func parseHex(digits: Int) throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let c = current, let digit = Self.hexValue(c) else { throw Unsupported() }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private static func hexValue(_ c: UInt32) -> UInt32? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    // MARK: - Classes

    /// After `[`. ECMA-262 classes have no nesting or set operations: `[`, `&&` are literal.
    private mutating func parseClass() throws -> ScalarSet {
        var set = ScalarSet()
        if consume("^") { set.negated = true }
        while true {
            guard let c = current else { throw Unsupported() }
            if c == 0x5D {  // ]
                index += 1
                return set
            }
            let low = try parseClassAtom()
            if current == 0x2D /* - */, let next = peek(1), next != 0x5D {
                index += 1
                let high = try parseClassAtom()
                guard case .scalar(let lo) = low, case .scalar(let hi) = high, lo <= hi else { throw Unsupported() }
                set.ranges.append(lo...hi)
                continue
            }
            switch low {
            case .scalar(let value): set.ranges.append(value...value)
            case .set(let inner):
                if inner.negated || !inner.predicates.isEmpty {
                    set.predicates.append(inner.predicate)
                } else {
                    set.ranges.append(contentsOf: inner.ranges)
                }
            }
        }
    }

    private enum ClassAtom {
        case scalar(UInt32)
        case set(ScalarSet)
    }

    private mutating func parseClassAtom() throws -> ClassAtom {
        let c = chars[index]
        index += 1
        guard c == 0x5C else { return .scalar(c) }
        guard current != nil else { throw Unsupported() }
        if let set = try parseClassEscape() { return .set(set) }
        return .scalar(try parseCharacterEscape(inClass: true))
    }
}
