import XCTest
import XAICore

/// Issue 14, item 11: a labels file or a YAML value holding escape sequences must not reach the
/// terminal raw (one set the terminal's title through `xai predict`).
final class TerminalTextTests: XCTestCase {
    func testControlCharactersBecomeVisibleEscapes() {
        XCTAssertEqual(TerminalText.sanitize("tabby\u{1B}]0;pwned\u{07}cat"), "tabby\\u{1B}]0;pwned\\u{7}cat")
        XCTAssertEqual(TerminalText.sanitize("a\rb\u{7F}c\u{9B}d"), "a\\u{D}b\\u{7F}c\\u{9B}d")
        XCTAssertEqual(TerminalText.sanitize("evil\u{202E}gnp.exe"), "evil\\u{202E}gnp.exe")
        XCTAssertEqual(TerminalText.sanitize("nul\u{0}"), "nul\\u{0}")
    }

    func testPrintableTextNewlinesAndTabsAreKept() {
        for text in ["tiger cat", "line one\n\tline two", "Ünïcødé — 猫 🐈", ""] {
            XCTAssertEqual(TerminalText.sanitize(text), text)
        }
    }
}
