import Foundation
import XCTest
@testable import XAIImaging

/// Files that pass a naive check but would hang the process or make it allocate gigabytes:
/// thin images (issue 14, item 6), devices and FIFOs given as images or masks (item 8).
final class UntrustedFileTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("xai-untrusted-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A 1x10000 gray PNG (a few hundred bytes) passes the side and pixel limits; resizing its
    /// shorter side to 256 would allocate 256 x 2,560,000 float RGB pixels (7.8 GB).
    func testThinImageIsRefusedFromItsHeaderNamingFileSizeAndLimit() throws {
        for (width, height) in [(1, 10000), (10000, 1), (33, 1057)] {
            let png = try ImageIO.encodeGrayPNG([UInt8](repeating: 128, count: width * height), width: width, height: height)
            let path = folder.appendingPathComponent("thin-\(width)x\(height).png").path
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(png)))
            XCTAssertThrowsError(try ImageIO.read(contentsOf: path)) { e in
                guard case ImageError.tooLarge(let source, let detail) = e else { return XCTFail("\(width)x\(height): \(e)") }
                XCTAssertEqual(source, path)
                XCTAssertTrue(detail.contains("\(width)x\(height)") && detail.contains("32:1"), detail)
            }
        }
        // At the limit, 32:1, the image decodes and its resize stays small.
        let png = try ImageIO.encodeGrayPNG([UInt8](repeating: 7, count: 2 * 64), width: 2, height: 64)
        let image = try ImageIO.decode(png, source: "ok.png")
        XCTAssertEqual(RGBImage.shorterSideSize(width: image.width, height: image.height, size: 256).height, 256 * 32)
        XCTAssertEqual(Preprocess.imagenet.cropped(image).width, 224)
    }

    func testResizeOverTheLimitIsRefused() {
        XCTAssertThrowsError(try Preprocess(resize: 100_000, crop: 224, mean: [0, 0, 0], std: [1, 1, 1])) { e in
            XCTAssertEqual(e as? PreprocessError, .resizeTooLarge(resize: 100_000))
            XCTAssertTrue("\(e)".contains("1024"), "\(e)")
        }
        XCTAssertNoThrow(try Preprocess(resize: Preprocess.maxResize, crop: 224, mean: [0, 0, 0], std: [1, 1, 1]))
    }

    /// Runs `read` on another thread; a read that blocks fails the test instead of hanging it
    /// (`unblock` then releases the blocked thread).
    private func readWithoutHanging(_ path: String, unblock: () -> Void = {}) -> Error? {
        let done = DispatchSemaphore(value: 0)
        let box = ErrorBox()
        DispatchQueue.global().async {
            do { _ = try ImageIO.read(contentsOf: path) } catch { box.error = error }
            done.signal()
        }
        if done.wait(timeout: .now() + 30) == .timedOut {
            unblock()
            XCTFail("\(path): reading blocked")
            return nil
        }
        return box.error
    }

    func testDevicesAreRefusedAtOnce() throws {
        for device in ["/dev/zero", "/dev/urandom", "/dev/null"] where FileManager.default.fileExists(atPath: device) {
            guard case ImageError.unreadable(let path, let reason)? = readWithoutHanging(device) else {
                return XCTFail("\(device) not refused")
            }
            XCTAssertEqual(path, device)
            XCTAssertTrue(reason.contains("device"), reason)
        }
        // A symbolic link does not launder a device.
        let link = folder.appendingPathComponent("cat.png").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/zero")
        guard case ImageError.unreadable(link, let reason)? = readWithoutHanging(link) else { return XCTFail("link to /dev/zero") }
        XCTAssertTrue(reason.contains("device"), reason)
    }

    func testFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let fifo = folder.appendingPathComponent("mask.png").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0, String(cString: strerror(errno)))
        let error = readWithoutHanging(fifo) {
            // Open and close the write end so that a blocked reader sees end-of-file.
            let fd = open(fifo, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
        }
        guard case ImageError.unreadable(fifo, let reason)? = error else { return XCTFail("FIFO: \(String(describing: error))") }
        XCTAssertTrue(reason.contains("FIFO"), reason)
    }

    func testFileOverTheByteLimitIsRefusedBeforeReading() throws {
        let path = folder.appendingPathComponent("big.png").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(count: 4096)))
        let limits = ImageLimits(maxSide: 100, maxPixels: 10_000, maxFileBytes: 1000)
        XCTAssertThrowsError(try ImageIO.read(contentsOf: path, limits: limits)) { e in
            XCTAssertEqual(e as? ImageError, .tooLarge(source: path, detail: "the file has 4096 bytes; the limit is 1000"))
        }
        let missing = folder.appendingPathComponent("gone.png").path
        try FileManager.default.createSymbolicLink(atPath: missing, withDestinationPath: folder.appendingPathComponent("nothing").path)
        XCTAssertThrowsError(try ImageIO.read(contentsOf: missing)) { e in
            guard case ImageError.unreadable(missing, let reason) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(reason.contains("symbolic link"), reason)
        }
    }
}

private final class ErrorBox: @unchecked Sendable {
    var error: Error?
}
