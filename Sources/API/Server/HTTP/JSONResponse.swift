import Hummingbird
import NIOCore

/// Responses whose body is JSON text, usually rendered by Postgres (`to_jsonb`) or by `JSONValue`.
public enum JSONResponse {
    public static func raw(_ json: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    public static func empty(_ status: HTTPResponse.Status) -> Response {
        Response(status: status)
    }
}
