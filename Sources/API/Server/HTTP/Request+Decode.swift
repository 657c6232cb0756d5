import BrokkrCommon
import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// The body decoded as a contract request model and validated: 413 past the size limit, 400 for a
    /// body that is not JSON (or not the JSON type the operation takes), 422 `invalid_field` naming
    /// a missing or mistyped field.
    func decode<T: Decodable>(as type: T.Type) async throws -> T {
        try RequestBytes.decode(type, from: try await RequestBytes.read(self))
    }
}

extension RequestBytes {
    /// Decodes bytes read earlier: for routes that check the caller against the database before
    /// looking at the body (so a refusal is not masked by a body error).
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let value: T
        do {
            value = try ContractJSON.decode(type, from: bytes)
        } catch let error as DecodingError {
            if case .typeMismatch(_, let context) = error, context.codingPath.isEmpty {
                throw APIError(.invalidRequestBody, ContractJSON.describe(error) ?? "request body has the wrong JSON type")
            }
            guard let problem = ContractJSON.describe(error) else {
                throw APIError(.invalidRequestBody, "malformed JSON body")
            }
            throw APIError(.invalidField, problem)
        }
        if let validated = value as? any ValidatedRequest { try validated.validate() }
        return value
    }
}

/// A request body's bytes, bounded.
enum RequestBytes {
    static let maxBytes = 8 << 20

    static func read(_ request: Request) async throws -> [UInt8] {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw APIError(.payloadTooLarge, "request body exceeds \(maxBytes) bytes")
        }
        guard buffer.readableBytes > 0 else { throw APIError(.invalidRequestBody, "request body is empty; expected JSON") }
        return Array(buffer.readableBytesView)
    }
}
