import BrokkrCommon
import Foundation
import Hummingbird
import NIOCore
import PostgresNIO

/// An error answered to the client as `{"error": message, "code": code, "message": message}` —
/// `error` for Brokkr's clients, `code`/`message` for the contract's ErrorResponse schema.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let extra: [String: JSONValue]

    public init(_ status: HTTPResponse.Status, _ message: String, code: String? = nil, extra: [String: JSONValue] = [:]) {
        self.status = status
        self.message = message
        self.code = code ?? Self.defaultCode(status)
        self.extra = extra
    }

    public var description: String { "\(status.code) \(message)" }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message, code: "not_found") }
    public static func forbidden(_ message: String) -> APIError { APIError(.forbidden, message, code: "forbidden") }
    public static func conflict(_ message: String) -> APIError { APIError(.conflict, message, code: "conflict") }
    public static let unauthorized = APIError(.unauthorized, "Unauthorized", code: "unauthorized")

    static func defaultCode(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: return "bad_request"
        case 401: return "unauthorized"
        case 403: return "forbidden"
        case 404: return "not_found"
        case 409: return "conflict"
        case 422: return "unprocessable_entity"
        default: return "internal_error"
        }
    }

    public var body: String {
        var object = extra
        object["error"] = .string(message)
        object["code"] = .string(code)
        object["message"] = .string(message)
        return JSONValue.object(object).serialized()
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.raw(body, status: status)
    }
}

extension APIError {
    /// Maps database errors to what the client did wrong where there is such a thing (a duplicate
    /// name, a reference to something that does not exist), otherwise a 500 whose detail is logged.
    static func from(database error: Error, context: String) -> APIError {
        if let psql = error as? PSQLError, let code = psql.serverInfo?[.sqlState] {
            let detail = psql.serverInfo?[.detail] ?? psql.serverInfo?[.message] ?? ""
            switch code {
            case "23505": return APIError(.conflict, "\(context): already exists\(detail.isEmpty ? "" : " (\(detail))")", code: "already_exists")
            case "23503": return APIError(.notFound, "\(context): a referenced resource does not exist\(detail.isEmpty ? "" : " (\(detail))")", code: "reference_not_found")
            case "23514", "22001", "22P02": return APIError(.badRequest, "\(context): invalid value\(detail.isEmpty ? "" : " (\(detail))")")
            default: break
            }
        }
        return APIError(.internalServerError, context, code: "internal_error")
    }
}
