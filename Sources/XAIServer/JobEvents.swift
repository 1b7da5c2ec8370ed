import Foundation
import Hummingbird

/// A job's progress as server-sent events: one `data:` line of the job's JSON snapshot per
/// change, the stream ending after the final state. A client that goes away makes the next write
/// fail, which ends this response only; the job and its other watchers go on.
enum JobEvents {
    static func response(_ stream: AsyncStream<JobSnapshot>) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: .ok,
                        headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                        body: ResponseBody { writer in
                            for await job in stream {
                                // JSON has no raw newlines, so one `data:` line carries it whole.
                                let line = "event: \(job.state.rawValue)\ndata: " + String(decoding: try encoder.encode(job), as: UTF8.self) + "\n\n"
                                try await writer.write(ByteBuffer(string: line))
                            }
                            try await writer.finish(nil)
                        })
    }
}
