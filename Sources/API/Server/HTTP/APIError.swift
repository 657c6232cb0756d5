import BrokkrCommon
import Foundation
import Hummingbird
import NIOCore
import PostgresNIO

/// Errors answer as the contract's `ErrorResponse` with the code's status.
extension APIError: HTTPResponseError {
    public var status: HTTPResponse.Status { code.status }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.raw(body, status: status)
    }
}

extension ErrorCode {
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: statusCode) }
}

extension APIError {
    /// Maps database errors to what the client did wrong where there is such a thing (a duplicate,
    /// a reference to something that does not exist, a value a column refuses), as the contract's
    /// `unique_violation` / `foreign_key_violation` / `check_violation` / `not_null_violation` with
    /// `details.constraint`; anything else is a 500 whose detail is logged by the caller.
    static func from(database error: Error, context: String) -> APIError {
        guard let psql = error as? PSQLError, let state = psql.serverInfo?[.sqlState] else {
            return APIError(.internalError, context)
        }
        let detail = psql.serverInfo?[.detail] ?? psql.serverInfo?[.message] ?? ""
        var details: [String: JSONValue] = [:]
        if let constraint = psql.serverInfo?[.constraintName] { details["constraint"] = .string(constraint) }
        let suffix = detail.isEmpty ? "" : " (\(detail))"
        switch state {
        case "23505": return APIError(.uniqueViolation, "\(context): already exists\(suffix)", details: details)
        case "23503": return APIError(.foreignKeyViolation, "\(context): a referenced resource does not exist\(suffix)", details: details)
        case "23514": return APIError(.checkViolation, "\(context): a value is not allowed\(suffix)", details: details)
        case "23502": return APIError(.notNullViolation, "\(context): a required value is missing\(suffix)", details: details)
        // Text PostgreSQL cannot store (U+0000, invalid encoding) or a value out of a column's range.
        case "22021", "22P05": return APIError(.invalidRequestBody, "\(context): text contains a character that cannot be stored (e.g. U+0000)")
        case "22001": return APIError(.invalidRequestBody, "\(context): a value is too long\(suffix)")
        case "22003": return APIError(.invalidRequestBody, "\(context): a number is out of range\(suffix)")
        case "22P02", "22007", "22008": return APIError(.invalidRequestBody, "\(context): a value is malformed\(suffix)")
        default: return APIError(.internalError, context)
        }
    }
}
