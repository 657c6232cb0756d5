import Foundation

/// RFC 3339 timestamps as the contract writes them (UTC, fractional seconds when present).
public enum RFC3339 {
    public static func string(from date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    /// Parses `2024-01-01T00:00:00Z`, with or without fractional seconds, with `Z` or an offset.
    public static func date(from text: String) -> Date? {
        if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return d }
        if let d = try? Date.ISO8601FormatStyle().parse(text) { return d }
        return nil
    }
}
