/// im2col and col2im: a conv's input taps as GEMM columns [c * kh * kw][pixels] and back.
extension ConvPlan {
    /// Valid output columns [lo, hi) for kernel column offset `off` (input column = ow*s - pad + off).
    @inline(__always)
    private func validRange(pad: Int, off: Int, stride s: Int, size: Int, out: Int) -> (Int, Int) {
        // smallest ow with ow*s >= pad - off, and smallest ow with ow*s >= size + pad - off
        func ceilDiv(_ a: Int, _ b: Int) -> Int { a <= 0 ? -((-a) / b) : (a + b - 1) / b }
        let lo = min(max(ceilDiv(pad - off, s), 0), out)
        let hi = min(max(ceilDiv(size + pad - off, s), lo), out)
        return (lo, hi)
    }

    /// Calls `body(plane, kernelRow..<kernelRow + 1)` for every input plane in 0..<planes and
    /// kernel row, split over the cores in units of one kernel row of one plane, each 64 KB of
    /// columns or more: a stem's 3 channels (7.4 MB of columns for ResNet-50's) would otherwise
    /// fill their columns on one core.
    func forEachKernelRow(planes: Int, outPixels: Int, _ body: (Int, Range<Int>) -> Void) {
        Parallel.forRanges(planes * kh, grain: max(1, (1 << 14) / max(1, kw * outPixels))) { r in
            for u in r { body(u / kh, (u % kh)..<(u % kh + 1)) }
        }
    }

    /// Writes the kH*kW rows of one input channel plane into `col` (row stride `ld`).
    /// `kernelRows`: only the rows of these kernel rows (all by default).
    func im2col(_ x: UnsafePointer<Float>, h: Int, w: Int, ho: Int, wo: Int,
                into col: UnsafeMutablePointer<Float>, ld: Int, kernelRows: Range<Int>? = nil) {
        for ki in kernelRows ?? 0..<kh {
            for kj in 0..<kw {
                let row = col + (ki * kw + kj) * ld
                let valid = validColumns(kj: kj, w: w, wo: wo)
                for oh in 0..<ho {
                    im2colRow(x, h: h, w: w, oh: oh, ki: ki, kj: kj, valid: valid, columns: 0..<wo, into: row + oh * wo)
                }
            }
        }
    }

    /// Output columns whose kernel column `kj` reads inside an input row of `w` (the rest read padding).
    @inline(__always)
    func validColumns(kj: Int, w: Int, wo: Int) -> Range<Int> {
        let (lo, hi) = validRange(pad: attrs.pads.left, off: kj * attrs.dilation.w, stride: attrs.stride.w, size: w, out: wo)
        return lo..<hi
    }

    /// The im2col columns of output pixels `pixels` (row-major over an output map `wo` wide,
    /// possibly spanning rows) of `planes` input planes [h, w]: row `plane * kh * kw + tap` of
    /// `col` (row stride `ld`) holds the tap's values for those pixels, zero where it reads
    /// padding, as `im2col` writes them for whole maps.
    func im2col(_ x: UnsafePointer<Float>, planes: Int, h: Int, w: Int, wo: Int, pixels: Range<Int>,
                into col: UnsafeMutablePointer<Float>, ld: Int) {
        for ch in 0..<planes {
            for ki in 0..<kh {
                for kj in 0..<kw {
                    let row = col + ((ch * kh + ki) * kw + kj) * ld
                    let valid = validColumns(kj: kj, w: w, wo: wo)
                    var p = pixels.lowerBound
                    while p < pixels.upperBound {
                        let (oh, ow) = (p / wo, p % wo)
                        let end = min(pixels.upperBound, p - ow + wo)
                        im2colRow(x + ch * h * w, h: h, w: w, oh: oh, ki: ki, kj: kj, valid: valid,
                                  columns: ow..<(ow + end - p), into: row + p - pixels.lowerBound)
                        p = end
                    }
                }
            }
        }
    }

    /// Output columns `columns` of output row `oh` for kernel tap (ki, kj) of one input plane
    /// [h, w] -> dst[0..<columns.count], zero where the tap reads padding. `valid`: validColumns(kj:).
    @inline(__always)
    func im2colRow(_ x: UnsafePointer<Float>, h: Int, w: Int, oh: Int, ki: Int, kj: Int, valid: Range<Int>,
                   columns: Range<Int>, into row: UnsafeMutablePointer<Float>) {
        let ih = oh * attrs.stride.h - attrs.pads.top + ki * attrs.dilation.h
        let dst = row - columns.lowerBound
        let span = valid.clamped(to: columns)
        let (lo, hi) = (span.lowerBound, span.upperBound)
        guard ih >= 0 && ih < h && lo < hi else {
            row.update(repeating: 0, count: columns.count)
            return
        }
        if lo > columns.lowerBound { row.update(repeating: 0, count: lo - columns.lowerBound) }
        let sw = attrs.stride.w
        let src = x + ih * w - attrs.pads.left + kj * attrs.dilation.w
        if sw == 1 {
            (dst + lo).update(from: src + lo, count: hi - lo)
        } else if sw == 2 {
            // Even lanes of 32-float loads (stride-2 stems read 1.3 M values per image);
            // the last load ends one value before the row's last read.
            var ow = lo
            while ow + 16 < hi {
                let v = UnsafeRawPointer(src + 2 * ow).loadUnaligned(as: SIMD32<Float>.self)
                UnsafeMutableRawPointer(dst + ow).storeBytes(of: v.evenHalf, as: SIMD16<Float>.self)
                ow += 16
            }
            while ow < hi { dst[ow] = src[2 * ow]; ow += 1 }
        } else {
            for ow in lo..<hi { dst[ow] = src[ow * sw] }
        }
        if hi < columns.upperBound { (dst + hi).update(repeating: 0, count: columns.upperBound - hi) }
    }

    /// Adds the kH*kW rows of `col` (row stride `ld`) back onto one input channel plane; `rows`:
    /// the output rows `col` holds (all by default), its columns starting at the first.
    func col2im(_ col: UnsafePointer<Float>, ld: Int, h: Int, w: Int, ho: Int, wo: Int, rows: Range<Int>? = nil,
                into x: UnsafeMutablePointer<Float>) {
        let rows = rows ?? 0..<ho
        let (sh, sw) = (attrs.stride.h, attrs.stride.w)
        let (dh, dw) = (attrs.dilation.h, attrs.dilation.w)
        let (pt, pl) = (attrs.pads.top, attrs.pads.left)
        for ki in 0..<kh {
            for kj in 0..<kw {
                let row = col + (ki * kw + kj) * ld
                let (lo, hi) = validRange(pad: pl, off: kj * dw, stride: sw, size: w, out: wo)
                guard lo < hi else { continue }
                for oh in rows {
                    let ih = oh * sh - pt + ki * dh
                    if ih < 0 || ih >= h { continue }
                    let src = row + (oh - rows.lowerBound) * wo
                    let dst = x + ih * w - pl + kj * dw
                    if sw == 1 {
                        for ow in lo..<hi { dst[ow] += src[ow] }
                    } else {
                        for ow in lo..<hi { dst[ow * sw] += src[ow] }
                    }
                }
            }
        }
    }
}
