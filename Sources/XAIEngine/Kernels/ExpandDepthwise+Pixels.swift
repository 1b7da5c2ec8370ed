import CKernels
import XAICore

/// The float32 expansion kernels of the fused step (ExpandDepthwise.swift): a chunk of pixels'
/// k inputs against one or two 16-channel blocks' filters, each result rectified into its cell
/// of the depthwise kernel's padded block.
extension ExpandDepthwise {
    @inline(__always)
    static func lanes(_ p: UnsafePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

    /// `expandPixels` for two consecutive blocks at once (filters [2][k][16], biases [2][16];
    /// the second block `next` cells after the first): twelve pixels at a time, 24 accumulators,
    /// so per k two filter loads and twelve broadcasts feed 24 multiply-adds where one block
    /// needs seventeen loads for sixteen. Each output sums its k terms in the same order as in
    /// `expandPixels`, so the pairing changes no result.
    @inline(__always)
    static func expandPixelPairs(_ x: UnsafePointer<Float>, count: Int, k: Int, ldx: Int, prefetch: Int, filters: UnsafePointer<Float>,
                                 bias: UnsafePointer<Float>, _ rectify: Rectifier16, slots: UnsafePointer<Int>,
                                 into block: UnsafeMutablePointer<Lanes>, next: Int) {
        let L = ConvPlan.laneCount
        let (ba, bb) = (lanes(bias), lanes(bias + L))
        let second = block + next
        var i = 0
        while i + 12 <= count {
            var a0 = ba, a1 = ba, a2 = ba, a3 = ba, a4 = ba, a5 = ba, a6 = ba, a7 = ba, a8 = ba, a9 = ba, a10 = ba, a11 = ba
            var b0 = bb, b1 = bb, b2 = bb, b3 = bb, b4 = bb, b5 = bb, b6 = bb, b7 = bb, b8 = bb, b9 = bb, b10 = bb, b11 = bb
            var xp = x + i, fp = filters
            for _ in 0..<k {
                if prefetch > 0 { xai_prefetch(xp + prefetch * ldx); xai_prefetch(xp + prefetch * ldx + 11) }
                let f = lanes(fp), g = lanes(fp + k * L)
                fp += L
                var s = Lanes(repeating: xp[0]); madd(&a0, f, s); madd(&b0, g, s)
                s = Lanes(repeating: xp[1]); madd(&a1, f, s); madd(&b1, g, s)
                s = Lanes(repeating: xp[2]); madd(&a2, f, s); madd(&b2, g, s)
                s = Lanes(repeating: xp[3]); madd(&a3, f, s); madd(&b3, g, s)
                s = Lanes(repeating: xp[4]); madd(&a4, f, s); madd(&b4, g, s)
                s = Lanes(repeating: xp[5]); madd(&a5, f, s); madd(&b5, g, s)
                s = Lanes(repeating: xp[6]); madd(&a6, f, s); madd(&b6, g, s)
                s = Lanes(repeating: xp[7]); madd(&a7, f, s); madd(&b7, g, s)
                s = Lanes(repeating: xp[8]); madd(&a8, f, s); madd(&b8, g, s)
                s = Lanes(repeating: xp[9]); madd(&a9, f, s); madd(&b9, g, s)
                s = Lanes(repeating: xp[10]); madd(&a10, f, s); madd(&b10, g, s)
                s = Lanes(repeating: xp[11]); madd(&a11, f, s); madd(&b11, g, s)
                xp += ldx
            }
            let s = slots + i
            block[s[0]] = rectify(a0); block[s[1]] = rectify(a1); block[s[2]] = rectify(a2); block[s[3]] = rectify(a3)
            block[s[4]] = rectify(a4); block[s[5]] = rectify(a5); block[s[6]] = rectify(a6); block[s[7]] = rectify(a7)
            block[s[8]] = rectify(a8); block[s[9]] = rectify(a9); block[s[10]] = rectify(a10); block[s[11]] = rectify(a11)
            second[s[0]] = rectify(b0); second[s[1]] = rectify(b1); second[s[2]] = rectify(b2); second[s[3]] = rectify(b3)
            second[s[4]] = rectify(b4); second[s[5]] = rectify(b5); second[s[6]] = rectify(b6); second[s[7]] = rectify(b7)
            second[s[8]] = rectify(b8); second[s[9]] = rectify(b9); second[s[10]] = rectify(b10); second[s[11]] = rectify(b11)
            i += 12
        }
        lastPixels(x, i..<count, k: k, ldx: ldx, filters: filters, bias: bias, rectify, slots: slots, into: block, second: second)
    }

    /// Pixels `pixels` (fewer than a tile: a 7x7 map's 49th, the last four of 14x14 and 28x28
    /// ones) of one block, or of two together (`second`), four or one at a time.
    @inline(__always)
    static func lastPixels(_ x: UnsafePointer<Float>, _ pixels: Range<Int>, k: Int, ldx: Int, filters: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>, _ rectify: Rectifier16, slots: UnsafePointer<Int>,
                           into block: UnsafeMutablePointer<Lanes>, second: UnsafeMutablePointer<Lanes>?) {
        var i = pixels.lowerBound
        while i + 4 <= pixels.upperBound {
            fewPixels(x + i, 4, k: k, ldx: ldx, filters: filters, bias: bias, rectify, slots: slots + i, into: block, second: second)
            i += 4
        }
        while i < pixels.upperBound {
            fewPixels(x + i, 1, k: k, ldx: ldx, filters: filters, bias: bias, rectify, slots: slots + i, into: block, second: second)
            i += 1
        }
    }

    /// `count` (4 or 1, a constant where inlined) pixels of one block, or of two (`second`: the
    /// next block's cells; filters [2][k][16], biases [2][16]), each output summed in the same
    /// order as in the wider kernels, so the same bits. One pixel of one block alone is a chain
    /// of k dependent FMAs, about four times its share of a 16-pixel tile (FMA latency 4
    /// cycles on Zen 4): Lite0's 7x7 and 14x14 expansions left one and four such pixels a map in
    /// every block. A loop over k = 112, ns per call: four pixels of two blocks 1567-1933 as
    /// eight chains one after the other, 293-365 here; one pixel 271-486 -> 148-154.
    @inline(__always)
    static func fewPixels(_ x: UnsafePointer<Float>, _ count: Int, k: Int, ldx: Int, filters: UnsafePointer<Float>,
                          bias: UnsafePointer<Float>, _ rectify: Rectifier16, slots: UnsafePointer<Int>,
                          into block: UnsafeMutablePointer<Lanes>, second: UnsafeMutablePointer<Lanes>?) {
        let L = ConvPlan.laneCount, two = second != nil
        let (ba, bb) = (lanes(bias), two ? lanes(bias + L) : Lanes())
        var a0 = ba, a1 = ba, a2 = ba, a3 = ba, b0 = bb, b1 = bb, b2 = bb, b3 = bb
        var xp = x, fp = filters
        for _ in 0..<k {
            let f = lanes(fp), g = two ? lanes(fp + k * L) : f
            fp += L
            var v = Lanes(repeating: xp[0]); madd(&a0, f, v); if two { madd(&b0, g, v) }
            if count == 4 {
                v = Lanes(repeating: xp[1]); madd(&a1, f, v); if two { madd(&b1, g, v) }
                v = Lanes(repeating: xp[2]); madd(&a2, f, v); if two { madd(&b2, g, v) }
                v = Lanes(repeating: xp[3]); madd(&a3, f, v); if two { madd(&b3, g, v) }
            }
            xp += ldx
        }
        block[slots[0]] = rectify(a0)
        if count == 4 { block[slots[1]] = rectify(a1); block[slots[2]] = rectify(a2); block[slots[3]] = rectify(a3) }
        guard let second else { return }
        second[slots[0]] = rectify(b0)
        if count == 4 { second[slots[1]] = rectify(b1); second[slots[2]] = rectify(b2); second[slots[3]] = rectify(b3) }
    }

    /// `count` pixels of one 16-channel block: x [k][ldx] (the pixels' columns), filters
    /// [k][16]; each result goes to the block cell `slots[i]`. x is prefetched `prefetch` rows
    /// ahead (0: not at all; past x's end a prefetch is a hint, never a fault). Sixteen pixels
    /// at a time, one accumulator each: per k, one filter load and sixteen broadcast multiply-adds.
    @inline(__always)
    static func expandPixels(_ x: UnsafePointer<Float>, count: Int, k: Int, ldx: Int, prefetch: Int, filters: UnsafePointer<Float>,
                             bias b: UnsafePointer<Float>, _ rectify: Rectifier16, slots: UnsafePointer<Int>,
                             into block: UnsafeMutablePointer<Lanes>) {
        let fr = UnsafeRawPointer(filters), bias = lanes(b)
        var i = 0
        while i + 16 <= count {
            var a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias
            var a8 = bias, a9 = bias, a10 = bias, a11 = bias, a12 = bias, a13 = bias, a14 = bias, a15 = bias
            var xp = x + i
            for j in 0..<k {
                if prefetch > 0 { xai_prefetch(xp + prefetch * ldx) }
                let f = fr.loadUnaligned(fromByteOffset: j * 64, as: Lanes.self)
                madd(&a0, f, Lanes(repeating: xp[0])); madd(&a1, f, Lanes(repeating: xp[1]))
                madd(&a2, f, Lanes(repeating: xp[2])); madd(&a3, f, Lanes(repeating: xp[3]))
                madd(&a4, f, Lanes(repeating: xp[4])); madd(&a5, f, Lanes(repeating: xp[5]))
                madd(&a6, f, Lanes(repeating: xp[6])); madd(&a7, f, Lanes(repeating: xp[7]))
                madd(&a8, f, Lanes(repeating: xp[8])); madd(&a9, f, Lanes(repeating: xp[9]))
                madd(&a10, f, Lanes(repeating: xp[10])); madd(&a11, f, Lanes(repeating: xp[11]))
                madd(&a12, f, Lanes(repeating: xp[12])); madd(&a13, f, Lanes(repeating: xp[13]))
                madd(&a14, f, Lanes(repeating: xp[14])); madd(&a15, f, Lanes(repeating: xp[15]))
                xp += ldx
            }
            let s = slots + i
            block[s[0]] = rectify(a0); block[s[1]] = rectify(a1); block[s[2]] = rectify(a2); block[s[3]] = rectify(a3)
            block[s[4]] = rectify(a4); block[s[5]] = rectify(a5); block[s[6]] = rectify(a6); block[s[7]] = rectify(a7)
            block[s[8]] = rectify(a8); block[s[9]] = rectify(a9); block[s[10]] = rectify(a10); block[s[11]] = rectify(a11)
            block[s[12]] = rectify(a12); block[s[13]] = rectify(a13); block[s[14]] = rectify(a14); block[s[15]] = rectify(a15)
            i += 16
        }
        lastPixels(x, i..<count, k: k, ldx: ldx, filters: filters, bias: b, rectify, slots: slots, into: block, second: nil)
    }
}
