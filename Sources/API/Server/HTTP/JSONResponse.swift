import BrokkrCommon
import Hummingbird
import NIOCore

/// JSON responses: contract models (encoded by `ContractJSON`) or JSON text already rendered.
public enum JSONResponse {
    public static func encode<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        bytes(ByteBuffer(bytes: try ContractJSON.encode(value)), status: status)
    }

    /// JSON already encoded (e.g. a cached document).
    public static func bytes(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    public static func raw(_ json: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    public static func empty(_ status: HTTPResponse.Status) -> Response {
        Response(status: status)
    }
}
