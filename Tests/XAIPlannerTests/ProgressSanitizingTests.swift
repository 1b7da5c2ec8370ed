import Foundation
import XCTest
@testable import XAIPlanner
import XAITestSupport

/// Issue 14, item 11: a failed task's message can quote a labels file or a name; its control
/// characters must not reach the terminal through the progress lines.
final class ProgressSanitizingTests: TemporaryDirectoryTestCase {
    struct Hostile: Error, CustomStringConvertible {
        var description: String { "label 'cat\u{1B}]0;pwned\u{07}' is odd" }
    }

    func testFailureMessagesAreSanitised() throws {
        let lines = LineSink()
        var g = TaskGraph()
        _ = try g.add(id: "coffee/gradcam", kind: .explain, resource: .light)
        _ = Executor(cache: try CacheStore(outputs: tmp), options: ExecutorOptions(keepGoing: true),
                     progress: ConsoleProgress(interactive: false, write: lines.append))
            .run(g, perform: { _ in throw Hostile() })
        XCTAssertFalse(lines.text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, lines.text)
        XCTAssertTrue(lines.text.contains("FAILED coffee/gradcam: label 'cat\\u{1B}]0;pwned\\u{7}' is odd"), lines.text)
    }
}
