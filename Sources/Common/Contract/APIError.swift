import Foundation

/// An error as the contract's `ErrorResponse` describes it: a typed `code` (which fixes the HTTP
/// status), a message, and optional details. The API answers with it; request validation throws it;
/// the agent's broker client decodes it.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public let code: ErrorCode
    public let message: String
    public let details: [String: JSONValue]

    public init(_ code: ErrorCode, _ message: String, details: [String: JSONValue] = [:]) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code.statusCode) \(code.rawValue): \(message)" }

    public static let unauthorized = APIError(.unauthorized, "Unauthorized")

    /// The body: `{"code", "message", "details"?}` plus `error` (the same text as `message`) for
    /// clients written before structured errors. `details` is left out when empty, as the original does.
    public var body: String {
        var object: [String: JSONValue] = ["code": .string(code.rawValue), "message": .string(message), "error": .string(message)]
        if !details.isEmpty { object["details"] = .object(details) }
        return JSONValue.object(object).serialized()
    }
}
