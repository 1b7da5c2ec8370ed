import Hummingbird

extension Request {
    /// The whole body, refused with 413 (`ServerError.tooLarge`) past `limit` bytes: at once when
    /// `Content-Length` says so, else as soon as more has arrived, so nothing over it is buffered.
    func collectBody(upTo limit: Int) async throws -> ByteBuffer {
        if let length = headers[.contentLength].flatMap(Int.init), length > limit {
            throw ServerError.tooLarge(limit: limit)
        }
        do {
            return try await body.collect(upTo: limit)
        } catch let e as HTTPResponseError where e.status == .contentTooLarge {
            throw ServerError.tooLarge(limit: limit)
        }
    }
}
