/// Request models check what their types cannot say (non-blank names, label syntax, ranges) and
/// throw the contract's error for it. The API runs `validate()` right after decoding a body.
public protocol ValidatedRequest: Decodable {
    func validate() throws
}

extension FieldRules {
    /// Throws `code` with the problem `rule` reports, if any.
    static func check(_ problem: String?, _ code: ErrorCode) throws {
        if let problem { throw APIError(code, problem) }
    }
}
