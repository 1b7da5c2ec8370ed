import XCTest
import CKernels

/// CKernels' quick shift passes (quickshift.c, sixteen pixels a lane each) against the
/// pixel-at-a-time loops they replace, written out here: the same density bits and the same
/// links, on maps whose width is no multiple of 16 (a partial last group) and whose windows
/// reach past every border.
final class QuickshiftKernelTests: XCTestCase {
    private struct Case { let w, h, radius: Int }

    func testPassesMatchPixelAtATimeLoops() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24)
        }
        for c in [Case(w: 37, h: 29, radius: 3), Case(w: 16, h: 9, radius: 5), Case(w: 53, h: 20, radius: 12)] {
            let (w, h, r) = (c.w, c.h, c.radius), n = w * h, side = 2 * r + 1, pw = w + 2 * r + 16
            let negInv: Float = -0.5 / 9
            // Three planes of values in [0, 20] (scaled CIELAB's range), and their padded copy.
            let lab = (0..<(3 * n)).map { _ in 20 * uniform() }
            var planes = [Float](repeating: 7, count: 3 * h * pw)
            for p in 0..<3 { for y in 0..<h { for x in 0..<w { planes[(p * h + y) * pw + r + x] = lab[p * n + y * w + x] } } }
            var spatial = [Float](repeating: 0, count: side * side)
            for dy in -r...r { for dx in -r...r { spatial[(dy + r) * side + dx + r] = expf(Float(dy * dy + dx * dx) * negInv) } }

            var density = [Float](repeating: 0, count: h * pw)
            xai_quickshift_density(planes, h, w, pw, r, spatial, negInv, 0, h, &density)
            var expected = [Float](repeating: 0, count: n)
            for y in 0..<h {
                for x in 0..<w {
                    var acc: Float = 0
                    for yy in max(y - r, 0)..<min(y + r + 1, h) {
                        for xx in max(x - r, 0)..<min(x + r + 1, w) {
                            let i = y * w + x, j = yy * w + xx
                            let a = lab[i] - lab[j], b = lab[n + i] - lab[n + j], cc = lab[2 * n + i] - lab[2 * n + j]
                            acc += xai_quickshift_exp((a * a + b * b + cc * cc) * negInv) * spatial[(yy - y + r) * side + xx - x + r]
                        }
                    }
                    expected[y * w + x] = acc
                }
            }
            let got = (0..<n).map { density[$0 / w * pw + r + $0 % w] }
            let differing = zip(got, expected).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            print("\(w)x\(h) radius \(r): \(differing) of \(n) densities differ, max diff \(zip(got, expected).map { abs($0 - $1) }.max()!)")
            XCTAssertEqual(differing, 0)

            // Densities with ties (a coarse grid of values), so the scan order decides links.
            var d = [Float](repeating: -1, count: h * pw)
            let coarse = (0..<n).map { _ in Float(Int(uniform() * 4)) }
            for i in 0..<n { d[i / w * pw + r + i % w] = coarse[i] }
            let maxDistSquared: Float = 150
            var parent = [Int32](repeating: -1, count: n)
            xai_quickshift_link(planes, d, h, w, pw, r, maxDistSquared, 0, h, &parent)
            var links = 0
            for y in 0..<h {
                for x in 0..<w {
                    let i = y * w + x
                    var best = Float.infinity, link = i
                    for yy in max(y - r, 0)..<min(y + r + 1, h) {
                        let dy = Float(yy - y)
                        for xx in max(x - r, 0)..<min(x + r + 1, w) {
                            let j = yy * w + xx
                            guard coarse[j] > coarse[i] else { continue }
                            let a = lab[i] - lab[j], b = lab[n + i] - lab[n + j], cc = lab[2 * n + i] - lab[2 * n + j]
                            let dx = Float(xx - x)
                            let dist = a * a + b * b + cc * cc + dy * dy + dx * dx
                            if dist < best { best = dist; link = j }
                        }
                    }
                    let want = Int32(best <= maxDistSquared ? link : i)
                    if want != i { links += 1 }
                    XCTAssertEqual(parent[i], want, "\(w)x\(h) radius \(r): pixel (\(y), \(x))")
                }
            }
            XCTAssertGreaterThan(links, n / 4, "most pixels should link somewhere")
        }
    }
}
