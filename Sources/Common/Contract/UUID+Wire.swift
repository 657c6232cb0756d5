import Foundation

extension UUID {
    /// Brokkr's wire form: lowercase hyphenated.
    public var lowercasedString: String { uuidString.lowercased() }
}
