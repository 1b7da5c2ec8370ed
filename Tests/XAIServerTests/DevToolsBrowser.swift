import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium driven through the DevTools protocol over a pipe (`--remote-debugging-pipe`:
/// the browser reads commands on fd 3 and writes answers and events on fd 4, each message JSON
/// ended by a NUL byte), so a test clicks and types with real input events, reads the page with
/// `Runtime.evaluate` and collects every console message, uncaught exception and log entry. No
/// port is opened; only 127.0.0.1 resolves. Every call is bounded; `close()` ends the browser
/// (killing it when it does not quit) and the test calls it on every path.
final class DevToolsBrowser: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let pid: pid_t
    private let commands: Int32
    private let answers: Int32
    private let condition = NSCondition()
    private var replies: [Int: [String: Any]] = [:]
    private var nextID = 1
    private var ended = false
    private var session: String?
    private var log: [String] = []

    /// Console messages, exceptions and log entries of the page, in order.
    var messages: [String] {
        condition.lock()
        defer { condition.unlock() }
        return log
    }

    /// Starts `executable` with a fresh profile in `profile`; its own log goes to `log`.
    init(executable: String, profile: URL, log: URL) throws {
        var toBrowser: [Int32] = [0, 0], fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw Failure(description: "pipe: errno \(errno)") }
        for fd in toBrowser + fromBrowser { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        // Above 4, so that putting one end on fd 3 cannot close the other, and dup2 clears O_CLOEXEC.
        let readEnd = fcntl(toBrowser[0], F_DUPFD_CLOEXEC, 10), writeEnd = fcntl(fromBrowser[1], F_DUPFD_CLOEXEC, 10)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, readEnd, 3)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let arguments = [executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                         "--user-data-dir=\(profile.path)", "--window-size=1600,1000",
                         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                         "--remote-debugging-pipe", "about:blank"]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, nil, argv, environ)
        for fd in [toBrowser[0], fromBrowser[1], readEnd, writeEnd] { Glibc.close(fd) }
        guard spawned == 0 else {
            Glibc.close(toBrowser[1]); Glibc.close(fromBrowser[0])
            throw Failure(description: "cannot start \(executable): error \(spawned)")
        }
        pid = child
        commands = toBrowser[1]
        answers = fromBrowser[0]
        signal(SIGPIPE, SIG_IGN)
        Thread.detachNewThread { [self] in readAnswers() }
    }

    // MARK: - Page

    /// Opens `url` in a new tab and waits until it has loaded.
    func open(_ url: String) throws {
        let target = try send("Target.createTarget", ["url": "about:blank"])["targetId"] as? String ?? ""
        session = try send("Target.attachToTarget", ["targetId": target, "flatten": true])["sessionId"] as? String
        for domain in ["Page", "Runtime", "Log"] { _ = try send("\(domain).enable") }
        _ = try send("Page.navigate", ["url": url])
        try waitUntil("document.readyState === 'complete'", what: "\(url) to load")
    }

    /// The value of `expression` in the page (promises awaited).
    @discardableResult
    func evaluate(_ expression: String) throws -> Any? {
        let answer = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let details = answer["exceptionDetails"] as? [String: Any] {
            throw Failure(description: "\(expression): \((details["exception"] as? [String: Any])?["description"] ?? details["text"] ?? "")")
        }
        return (answer["result"] as? [String: Any])?["value"]
    }

    /// Polls `expression` every 0.1 s until it is true; fails after `timeout` seconds. An
    /// evaluation that fails (a page being replaced has no context) counts as not yet.
    func waitUntil(_ expression: String, timeout: TimeInterval = 300, what: String) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? evaluate("Boolean(\(expression))")) as? Bool == true { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw Failure(description: "waited \(Int(timeout)) s for \(what) (\(expression)); page messages: \(messages)")
    }

    /// A left click with the mouse at the centre of the element `selector` finds (scrolled into view).
    func click(_ selector: String) throws {
        let point = try evaluate("""
            (() => { const e = document.querySelector(\(Self.literal(selector))); if (!e) return null;
              e.scrollIntoView({ block: "center" }); const r = e.getBoundingClientRect();
              return [r.left + r.width / 2, r.top + r.height / 2]; })()
            """) as? [Double]
        guard let point, point.count == 2 else { throw Failure(description: "nothing to click: \(selector)") }
        for type in ["mouseMoved", "mousePressed", "mouseReleased"] {
            _ = try send("Input.dispatchMouseEvent", ["type": type, "x": point[0], "y": point[1], "button": "left", "clickCount": 1])
        }
    }

    /// Clicks the text field `selector` and types `text` into it.
    func type(_ text: String, into selector: String) throws {
        try click(selector)
        _ = try send("Input.insertText", ["text": text])
    }

    /// Chooses `value` in the `<select>` `selector` with the keyboard (focus, then arrow keys, as
    /// a user without a mouse does), so its `change` handlers run as they do for a user.
    func choose(_ value: String, in selector: String) throws {
        let element = "document.querySelector(\(Self.literal(selector)))"
        try evaluate("\(element).focus(); \(element).selectedIndex")
        let options = try evaluate("[...\(element).options].map((o) => o.value)") as? [String] ?? []
        guard let target = options.firstIndex(of: value), let current = try evaluate("\(element).selectedIndex") as? Int else {
            throw Failure(description: "\(selector) has no option \(value) (options: \(options))")
        }
        let (key, code) = target > current ? ("ArrowDown", 40) : ("ArrowUp", 38)
        for _ in 0..<abs(target - current) {
            for type in ["keyDown", "keyUp"] {
                _ = try send("Input.dispatchKeyEvent", ["type": type, "key": key, "code": key, "windowsVirtualKeyCode": code])
            }
        }
    }

    /// Quits the browser; kills it when it has not exited within 10 s.
    func close() {
        _ = try? send("Browser.close", timeout: 10)
        let deadline = Date().addingTimeInterval(10)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Glibc.close(commands)
    }

    /// `text` as a JavaScript string literal.
    static func literal(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data(#""""#.utf8), as: UTF8.self)
    }

    // MARK: - Protocol

    /// Sends a command (to the attached page, once there is one) and waits for its answer.
    func send(_ method: String, _ params: [String: Any] = [:], timeout: TimeInterval = 120) throws -> [String: Any] {
        condition.lock()
        let id = nextID
        nextID += 1
        condition.unlock()
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let session, !method.hasPrefix("Target.") && !method.hasPrefix("Browser.") { message["sessionId"] = session }
        let bytes = [UInt8](try JSONSerialization.data(withJSONObject: message)) + [0]
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(commands, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "\(method): the browser is gone") }
            written += n
        }
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(timeout)
        while replies[id] == nil && !ended {
            guard condition.wait(until: deadline) else { throw Failure(description: "\(method): no answer in \(Int(timeout)) s") }
        }
        guard let reply = replies.removeValue(forKey: id) else { throw Failure(description: "\(method): the browser is gone") }
        if let error = reply["error"] as? [String: Any] { throw Failure(description: "\(method): \(error)") }
        return reply["result"] as? [String: Any] ?? [:]
    }

    private func readAnswers() {
        var buffer = [UInt8](), chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(answers, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            buffer += chunk[0..<n]
            while let end = buffer.firstIndex(of: 0) {
                let object = try? JSONSerialization.jsonObject(with: Data(buffer[..<end])) as? [String: Any]
                buffer.removeSubrange(...end)
                if let object { take(object) }
            }
        }
        Glibc.close(answers)
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    private func take(_ message: [String: Any]) {
        condition.lock()
        defer { condition.unlock() }
        if let id = message["id"] as? Int {
            replies[id] = message
            condition.broadcast()
            return
        }
        let params = message["params"] as? [String: Any] ?? [:]
        switch message["method"] as? String {
        case "Runtime.consoleAPICalled"?:
            let args = (params["args"] as? [[String: Any]] ?? []).map { "\($0["value"] ?? $0["description"] ?? "")" }
            log.append("console.\(params["type"] ?? ""): " + args.joined(separator: " "))
        case "Runtime.exceptionThrown"?:
            let details = params["exceptionDetails"] as? [String: Any] ?? [:]
            log.append("exception: \((details["exception"] as? [String: Any])?["description"] ?? details["text"] ?? "")")
        case "Log.entryAdded"?:
            let entry = params["entry"] as? [String: Any] ?? [:]
            log.append("log.\(entry["level"] ?? ""): \(entry["text"] ?? "") \(entry["url"] ?? "")")
        default:
            break
        }
    }
}
