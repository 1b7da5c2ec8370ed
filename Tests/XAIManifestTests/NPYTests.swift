import XCTest
import XAICore
import XAITestSupport
@testable import XAIManifest

/// Fixtures are the exact bytes `numpy.save` (numpy 2.4) wrote for the arrays noted.
final class NPYTests: TemporaryDirectoryTestCase {
    // np.arange(6, dtype='<f4').reshape(2, 3) * 0.5 - 1
    let fixture2D = "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000080bf000000bf000000000000003f0000803f0000c03f"
    // [[[1.5, -2.25, 3e-8], [0.1, 100, -0.0]], [[7, 8, 9], [1e10, -1e-10, 0.333]]] as float32
    let fixture3D = "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c20322c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000c03f000010c059d90033cdcccc3d0000c842000000800000e0400000004100001041f9021550ffe6dbaefa7eaa3e"
    // np.zeros((0,), '<f4')
    let fixtureEmpty = "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028302c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a"
    // np.full((1,) * 20, 2.5, '<f4'): the header needs a second 64-byte block
    let fixtureLongHeader = "934e554d50590100b6007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c2031292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a00002040"

    func testEncodeMatchesNumpyBytes() {
        let t2 = Tensor(shape: [2, 3], data: [-1, -0.5, 0, 0.5, 1, 1.5])
        XCTAssertEqual(NPY.encode(t2), bytes(hex: fixture2D))
        let t3 = Tensor(shape: [2, 2, 3], data: [1.5, -2.25, 3e-8, 0.1, 100, -0.0, 7, 8, 9, 1e10, -1e-10, 0.333])
        XCTAssertEqual(NPY.encode(t3), bytes(hex: fixture3D))
        XCTAssertEqual(NPY.encode(Tensor(shape: [0], data: [])), bytes(hex: fixtureEmpty))
        XCTAssertEqual(NPY.encode(Tensor(shape: Array(repeating: 1, count: 20), data: [2.5])), bytes(hex: fixtureLongHeader))
    }

    func testDataStartsOn64ByteBoundary() {
        for shape in [[1], [224, 224], [4, 224, 224], [123456789, 0], Array(repeating: 2, count: 12)] {
            let h = NPY.header(shape: shape)
            XCTAssertEqual(h.count % 64, 0, "shape \(shape)")
            XCTAssertEqual(h.last, 0x0A)
        }
    }

    func testDecodeNumpyFixtures() throws {
        let t = try NPY.decode(bytes(hex: fixture3D))
        XCTAssertEqual(t.shape, [2, 2, 3])
        XCTAssertEqual(t.data[9], 1e10)
        XCTAssertEqual(t.data[5].sign, .minus)
        XCTAssertEqual(try NPY.decode(bytes(hex: fixtureLongHeader)).data, [2.5])
        XCTAssertEqual(try NPY.decode(bytes(hex: fixtureEmpty)).shape, [0])
    }

    func testWriteAndReadRoundTrip() throws {
        let values = (0..<(3 * 5 * 7)).map { Float($0) * 0.37 - 4 }
        let t = Tensor(shape: [3, 5, 7], data: values)
        let url = tmp.appendingPathComponent("maps/x.npy")
        try NPY.write(t, to: url)
        let back = try NPY.read(url)
        XCTAssertEqual(back.shape, t.shape)
        print("npy round trip max difference:", back.maxAbsDifference(t))
        XCTAssertEqual(back, t)
    }

    func testRejectsBadFiles() {
        var d = bytes(hex: fixture2D)
        d.removeLast(4)
        XCTAssertThrowsError(try NPY.decode(d)) { XCTAssertTrue("\($0)".contains("data bytes"), "\($0)") }
        var f8 = bytes(hex: fixture2D)
        f8[20] = UInt8(ascii: "8")  // '<f4' -> '<f8'
        XCTAssertThrowsError(try NPY.decode(f8)) { XCTAssertTrue("\($0)".contains("float32"), "\($0)") }
        XCTAssertThrowsError(try NPY.decode(Data("not numpy".utf8)))
        XCTAssertThrowsError(try NPY.read(tmp.appendingPathComponent("missing.npy")))
    }
}
