import Foundation

/// Field rules shared by the API and the models (spec: labels, annotations, names).
public enum FieldRules {
    /// Labels: non-empty after trimming, at most 64 bytes, no whitespace.
    public static func label(_ label: String) -> String? {
        if label.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "Label cannot be empty" }
        if label.utf8.count > 64 { return "Label cannot exceed 64 characters" }
        if label.contains(where: { $0.isWhitespace }) { return "Label cannot contain whitespace" }
        return nil
    }

    /// Annotation keys and values: same rules, messages name which part failed.
    public static func annotation(key: String, value: String) -> String? {
        for (part, text) in [("key", key), ("value", value)] {
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "Annotation \(part) cannot be empty" }
            if text.utf8.count > 64 { return "Annotation \(part) cannot exceed 64 characters" }
            if text.contains(where: { $0.isWhitespace }) { return "Annotation \(part) cannot contain whitespace" }
        }
        return nil
    }

    /// A required name: non-blank and at most `maxLength` bytes.
    public static func name(_ value: String, field: String, maxLength: Int = 255) -> String? {
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "\(field) cannot be empty" }
        if value.utf8.count > maxLength { return "\(field) cannot exceed \(maxLength) characters" }
        return nil
    }
}
