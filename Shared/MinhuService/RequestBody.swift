import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// The whole body, at most `limit` bytes: a larger one (by its `Content-Length`, or as it streams in) throws a
    /// 413 `Problem` that names the limit.
    public func collectBody(upTo limit: Int) async throws -> ByteBuffer {
        let tooLarge = Problem(status: 413, title: "body too large",
                               detail: "request bodies are limited to \(limit) bytes")
        if let length = headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        do {
            return try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
    }
}
