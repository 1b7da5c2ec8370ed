import CKernels
import Foundation

/// The depthwise conv of a bf16 pass (fused after its expansion, ExpandDepthwise) in bf16 on
/// vdpbf16ps. The float32 kernel spends one 16-lane multiply-add per tap (9 for 3x3, 25 for
/// 5x5: 13% of a bf16 Lite0 LIME run); here the zero-padded block holds two neighbouring
/// padded rows per 32-bit lane, so each vdpbf16ps does two kernel rows (6 and 15 per output).
///
/// Layout (CKernels' xai_bf16_depthwise_rows): pair rows [j][wp][16 channels][2], pair row j
/// holding padded rows 2j (low halves) and 2j + 1 (high). Every input value is stored once
/// (the block is half the float32 one); a window starting on an odd padded row (stride 1, odd
/// output rows) reads the pair rows from the one above with the filters shifted by a row
/// (weights 0, w0 | w1, w2 | ...). The expansion writes each pixel's half directly
/// (xai_bf16_expand_pairs), rounded to bf16: the depthwise inputs are rounded in bf16 passes only.
final class DepthwisePairRows: @unchecked Sendable {
    let plan: ConvPlan
    let h, w, ho, wo, wp: Int
    /// Pair rows in the block: padded rows up to (ho - 1) * sh + kh, one past the last window
    /// for an even start (that half has weight 0 but is read, so it is kept zero).
    let pairRows: Int
    /// Filters [block][parity][kh / 2 + 1][kw][16][2] in bf16 and biases [block][16].
    let filters: UnsafeMutablePointer<UInt16>
    let biases: UnsafeMutablePointer<Float>
    /// Input pixel (row-major, h x w) -> its half in the block, in UInt16s: 32 * cell + (padded row & 1).
    let slots: UnsafeMutablePointer<Int>

    /// Whether the kernel takes `plan` (depthwise, dilation 1, kh odd, kw 3 or 5, stride w 1 or 2)
    /// with rows of `wo` >= 7 outputs (the float32 kernel's sliding rows, which this replaces).
    static func applies(_ plan: ConvPlan, wo: Int) -> Bool {
        let a = plan.attrs
        return plan.isDepthwise && a.dilation.h == 1 && a.dilation.w == 1 && plan.kh % 2 == 1 && (plan.kw == 3 || plan.kw == 5)
            && (a.stride.w == 1 || a.stride.w == 2) && wo >= 7
    }

    /// Setup for `channels` (a multiple of 16) channels of h x w maps with ho x wo outputs.
    init(_ plan: ConvPlan, channels c: Int, h: Int, w: Int, ho: Int, wo: Int) {
        let L = ConvPlan.laneCount, a = plan.attrs, (kh, kw) = (plan.kh, plan.kw)
        precondition(c % L == 0 && Self.applies(plan, wo: wo))
        self.plan = plan
        (self.h, self.w, self.ho, self.wo) = (h, w, ho, wo)
        let (hp, wp) = plan.paddedSize(h: h, w: w, ho: ho, wo: wo)
        self.wp = wp
        pairRows = hp / 2 + 1
        let np = kh / 2 + 1, perBlock = 2 * np * kw * L * 2
        filters = .allocate(capacity: c / L * perBlock)
        filters.initialize(repeating: 0, count: c / L * perBlock)
        biases = .allocate(capacity: c)
        for ch in 0..<c {
            let base = filters + ch / L * perBlock + (ch % L) * 2
            let rounded = Self.roundedKeepingSum(Array(plan.weights[ch * kh * kw..<(ch + 1) * kh * kw]))
            for parity in 0..<2 {
                for t in 0..<np {
                    for half in 0..<2 {
                        let ki = 2 * t + half - parity
                        guard ki >= 0 && ki < kh else { continue }
                        for kj in 0..<kw {
                            base[((parity * np + t) * kw + kj) * L * 2 + half] = rounded[ki * kw + kj]
                        }
                    }
                }
            }
            biases[ch] = plan.bias?[ch] ?? 0
        }
        slots = .allocate(capacity: h * w)
        for ih in 0..<h {
            let row = ih + a.pads.top
            for iw in 0..<w { slots[ih * w + iw] = ((row / 2) * wp + iw + a.pads.left) * 2 * L + row % 2 }
        }
    }

    /// One channel's taps in bf16, rounded so that their sum stays that of the float32 taps
    /// (up to half a unit of the smallest): each tap, largest first, is rounded with the error
    /// so far added. Plain rounding moved the sum, which is the filter's response to a flat
    /// input, by up to half a unit per tap; folded batch norms give Lite0 large taps of nearly
    /// zero sum. Against float32, bf16 LIME maps (bench) had r = 0.9996 with float32 depthwise
    /// convs, 0.9966 with plainly rounded taps, 0.9992 with these.
    static func roundedKeepingSum(_ w: [Float]) -> [UInt16] {
        var out = [UInt16](repeating: 0, count: w.count), carry = 0.0
        for t in w.indices.sorted(by: { abs(w[$0]) > abs(w[$1]) }) {
            let v = Double(w[t]) + carry
            out[t] = xai_bf16_from_float(Float(v))
            carry = v - Double(xai_bf16_to_float(out[t]))
        }
        return out
    }

    deinit {
        filters.deallocate()
        biases.deallocate()
        slots.deallocate()
    }

    /// Bytes of the block (it fits in the float32 block's cells, hp x wp).
    var blockBytes: Int { pairRows * wp * ConvPlan.laneCount * 4 }

    /// Zeroes every half the expansion does not write: whole pair rows holding a padding row,
    /// the padding columns of the others. Once per worker block; the expansion overwrites the rest.
    func zeroPadding(_ block: UnsafeMutableRawPointer) {
        let (top, left) = (plan.attrs.pads.top, plan.attrs.pads.left), cell = ConvPlan.laneCount * 4
        for j in 0..<pairRows {
            let row = block + j * wp * cell
            if 2 * j < top || 2 * j + 1 >= top + h {
                memset(row, 0, wp * cell)
            } else {
                memset(row, 0, left * cell)
                memset(row + (left + w) * cell, 0, (wp - left - w) * cell)
            }
        }
    }

    /// The input pixels `pixels` (row-major, h x w) as runs of one row: `body(first, count,
    /// paired)`, where a paired run also covers the same columns one row down (pixels first + w
    /// ..< first + w + count), the other half of the same cells. A row on an even padded row is
    /// paired with the row below where both are in `pixels`; other pixels come alone.
    func forEachRun(in pixels: Range<Int>, _ body: (Int, Int, Bool) -> Void) {
        guard !pixels.isEmpty else { return }
        let top = plan.attrs.pads.top, lastRow = (pixels.upperBound - 1) / w
        func columns(_ row: Int) -> Range<Int> {
            max(pixels.lowerBound - row * w, 0)..<min(pixels.upperBound - row * w, w)
        }
        func alone(_ row: Int, _ c: Range<Int>) {
            if !c.isEmpty { body(row * w + c.lowerBound, c.count, false) }
        }
        var row = pixels.lowerBound / w
        while row <= lastRow {
            let c = columns(row)
            guard (row + top) % 2 == 0 && row < lastRow else {
                alone(row, c)
                row += 1
                continue
            }
            let d = columns(row + 1)
            let both = c.clamped(to: d)
            if both.isEmpty {
                alone(row, c)
                alone(row + 1, d)
            } else {
                alone(row, c.lowerBound..<both.lowerBound)
                alone(row, both.upperBound..<c.upperBound)
                alone(row + 1, d.lowerBound..<both.lowerBound)
                alone(row + 1, both.upperBound..<d.upperBound)
                body(row * w + both.lowerBound, both.count, true)
            }
            row += 2
        }
    }

    /// Output rows whose inputs are in once `full` input rows are: output row r reads padded
    /// rows up to r * sh + kh (the last a zero-weight half).
    func readyRows(_ full: Int) -> Int {
        let a = plan.attrs
        return full == h ? ho : min(ho, max(0, full + a.pads.top - plan.kh + a.stride.h - 1) / a.stride.h)
    }

    /// Output rows `rows` of 16-channel block `b` (channel block index) -> out [ho][wo][16].
    @inline(__always)
    func compute(block b: Int, pairs: UnsafeRawPointer, rows: Range<Int>, into out: UnsafeMutablePointer<SIMD16<Float>>) {
        let a = plan.attrs, L = ConvPlan.laneCount, perBlock = 2 * (plan.kh / 2 + 1) * plan.kw * L * 2
        xai_bf16_depthwise_rows(pairs.assumingMemoryBound(to: UInt16.self), wp, plan.kh, plan.kw, a.stride.h, a.stride.w,
                                filters + b * perBlock, biases + b * L, xai_rectifier(Rectifier16(plan.activation)),
                                rows.lowerBound, rows.upperBound, wo,
                                UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self))
    }
}
