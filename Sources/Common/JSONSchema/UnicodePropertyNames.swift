import BrokkrCommon

// The `\p{…}` names the linear-time matcher understands: general categories (long and short names)
// and a few binary properties. Names are compared loosely, as ICU does (case, `_`, `-` and spaces
// ignored), so `\p{digit}` works as it did under ICU. Other names (scripts, `Script=…`) make the
// pattern use the fallback matcher.

enum UnicodePropertyNames {
    typealias Predicate = @Sendable (Unicode.Scalar) -> Bool

    static func predicate(_ name: String) -> Predicate? {
        let key = loose(name)
        if let categories = categories[key] {
            return { categories.contains($0.properties.generalCategory) }
        }
        return binary[key]
    }

    private static func loose(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " })
    }

    private static let binary: [String: Predicate] = [
        "any": { _ in true },
        "ascii": { $0.isASCII },
        "alphabetic": { $0.properties.isAlphabetic },
        "alpha": { $0.properties.isAlphabetic },
        "whitespace": { $0.properties.isWhitespace },
        "space": { $0.properties.isWhitespace },
        "uppercase": { $0.properties.isUppercase },
        "upper": { $0.properties.isUppercase },
        "lowercase": { $0.properties.isLowercase },
        "lower": { $0.properties.isLowercase },
    ]

    private typealias C = Unicode.GeneralCategory

    private static let letters: Set<C> = [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter]
    private static let marks: Set<C> = [.nonspacingMark, .spacingMark, .enclosingMark]
    private static let numbers: Set<C> = [.decimalNumber, .letterNumber, .otherNumber]
    private static let punctuation: Set<C> = [
        .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
        .initialPunctuation, .finalPunctuation, .otherPunctuation,
    ]
    private static let symbols: Set<C> = [.mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol]
    private static let separators: Set<C> = [.spaceSeparator, .lineSeparator, .paragraphSeparator]
    private static let others: Set<C> = [.control, .format, .surrogate, .privateUse, .unassigned]

    private static let categories: [String: Set<C>] = {
        var table: [String: Set<C>] = [:]
        func add(_ names: [String], _ set: Set<C>) {
            for name in names { table[loose(name)] = set }
        }
        add(["L", "Letter"], letters)
        add(["LC", "Cased_Letter"], [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter])
        add(["Lu", "Uppercase_Letter"], [.uppercaseLetter])
        add(["Ll", "Lowercase_Letter"], [.lowercaseLetter])
        add(["Lt", "Titlecase_Letter"], [.titlecaseLetter])
        add(["Lm", "Modifier_Letter"], [.modifierLetter])
        add(["Lo", "Other_Letter"], [.otherLetter])
        add(["M", "Mark", "Combining_Mark"], marks)
        add(["Mn", "Nonspacing_Mark"], [.nonspacingMark])
        add(["Mc", "Spacing_Mark"], [.spacingMark])
        add(["Me", "Enclosing_Mark"], [.enclosingMark])
        add(["N", "Number"], numbers)
        add(["Nd", "Decimal_Number", "digit"], [.decimalNumber])
        add(["Nl", "Letter_Number"], [.letterNumber])
        add(["No", "Other_Number"], [.otherNumber])
        add(["P", "Punctuation", "punct"], punctuation)
        add(["Pc", "Connector_Punctuation"], [.connectorPunctuation])
        add(["Pd", "Dash_Punctuation"], [.dashPunctuation])
        add(["Ps", "Open_Punctuation"], [.openPunctuation])
        add(["Pe", "Close_Punctuation"], [.closePunctuation])
        add(["Pi", "Initial_Punctuation"], [.initialPunctuation])
        add(["Pf", "Final_Punctuation"], [.finalPunctuation])
        add(["Po", "Other_Punctuation"], [.otherPunctuation])
        add(["S", "Symbol"], symbols)
        add(["Sm", "Math_Symbol"], [.mathSymbol])
        add(["Sc", "Currency_Symbol"], [.currencySymbol])
        add(["Sk", "Modifier_Symbol"], [.modifierSymbol])
        add(["So", "Other_Symbol"], [.otherSymbol])
        add(["Z", "Separator"], separators)
        add(["Zs", "Space_Separator"], [.spaceSeparator])
        add(["Zl", "Line_Separator"], [.lineSeparator])
        add(["Zp", "Paragraph_Separator"], [.paragraphSeparator])
        add(["C", "Other"], others)
        add(["Cc", "Control", "cntrl"], [.control])
        add(["Cf", "Format"], [.format])
        add(["Cs", "Surrogate"], [.surrogate])
        add(["Co", "Private_Use"], [.privateUse])
        add(["Cn", "Unassigned"], [.unassigned])
        return table
    }()
}
