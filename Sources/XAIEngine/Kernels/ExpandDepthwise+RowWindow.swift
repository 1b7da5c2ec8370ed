import XAICore

/// On big maps the fused step keeps only a window of each block's padded depthwise input (and
/// of its output rows, where they leave as pairs or planes) instead of the whole map: the rows
/// still to be read slide to the window's top before the next chunk is expanded into it.
///
/// Why: a whole padded block of Lite0's 112x112 maps is 832 KB (114 x 114 cells of 64 bytes),
/// the stem's output block 800 KB more, and a group of two to four blocks (4 MB with AMX)
/// does not stay in the core's 2 MB L2, so each expanded cell was written out to L3 and read
/// back. A C harness of the AMX expansion into two blocks of a 112x112 map (k 32): 47 ns per
/// 16 pixels and block into whole blocks, 23-27 into windows of 8-64 rows; the float32 cell
/// stores alone 21.7 -> 17-18 ns. In Lite0's passes at batch 32 (step profiles, CPU ms per
/// image, min of five alternations) bf16: the stem 0.442 -> 0.408, the 112x112 block 0.478 ->
/// 0.455; float32: the 112x112 block 0.443 -> 0.428 (the stem unchanged). Windows 20 or 40 rows
/// taller than needed were slower (8 no faster), so they are as short as the chunks allow.
///
/// The window holds padded rows `base ..< base + rows` (padded row r at (r - base) * wp);
/// callers address cells as in the whole block, from `cells - base * wp`. Its padding columns
/// are zeroed once and stay zero: expansions write inside them, slides move whole rows, and
/// the padding rows above and below the map are zeroed when they enter the window. The cells
/// and their order of summation are the whole block's, so results do not change by a bit.
extension ExpandDepthwise {
    struct RowWindow {
        /// Padded input rows held per block, and output rows (for pairs and planes).
        let rows: Int, outRows: Int
        /// Padded row width and output row width, in cells.
        let wp: Int, wo: Int
        /// The input window, then the output rows.
        var inputCells: Int { rows * wp }
        var stride: Int { inputCells + outRows * wo }

        /// Used where a block's padded map has at least this many cells (512 KB: Lite0's 112x112
        /// maps; at 56x56 a group's whole blocks stay in L2, and sliding rows made its float32
        /// steps 0.01 ms slower) and twice the window's rows. Tests lower it to run small maps
        /// in windows, or raise it to compare against whole blocks.
        static var minimumCells = 8192

        /// A window for a step that expands `chunkPixels` pixels of maps `ew` wide at a time
        /// before running the depthwise rows they complete; nil where the map is too small to
        /// gain.
        init?(_ setup: ConvPlan.BlockedSetup, depthwise: ConvPlan, ew: Int, chunkPixels: Int) {
            let g = setup.geometry, a = depthwise.attrs
            let reach = (depthwise.kh - 1) * a.dilation.h
            // A chunk's rows (one more where it starts inside a row), the rows the outputs not yet
            // computed still read, and the bottom padding the last outputs read.
            let chunkRows = (chunkPixels + ew - 1) / ew + 1
            rows = chunkRows + reach + a.stride.h + a.pads.bottom + 1
            outRows = chunkRows / a.stride.h + 1
            (wp, wo) = (g.wp, g.wo)
            guard setup.paddedPixels >= Self.minimumCells, 2 * rows <= setup.paddedPixels / g.wp else { return nil }
        }

        /// Zeroes one block's input window (each block of a worker's buffers, once).
        func zeroAll(_ buffers: UnsafeMutableRawPointer) {
            buffers.assumingMemoryBound(to: Lanes.self).initialize(repeating: Lanes(), count: inputCells)
        }

        /// Zeroes padded rows `padded` (inside the window from `base`) of `count` blocks.
        func zero(_ buffers: UnsafeMutablePointer<Lanes>, count: Int, padded: Range<Int>, base: Int) {
            guard !padded.isEmpty else { return }
            precondition(padded.lowerBound >= base && padded.upperBound <= base + rows, "padded rows \(padded) outside the window")
            for j in 0..<count {
                (buffers + j * stride + (padded.lowerBound - base) * wp).update(repeating: Lanes(), count: padded.count * wp)
            }
        }

        /// Moves padded rows `kept` of `count` blocks' windows (from `base`) to the top, where
        /// the window then starts (`kept.lowerBound` is the new base).
        func slide(_ buffers: UnsafeMutablePointer<Lanes>, count: Int, kept: Range<Int>, base: Int) {
            precondition(kept.lowerBound >= base && kept.upperBound <= base + rows)
            guard kept.lowerBound > base, !kept.isEmpty else { return }
            for j in 0..<count {
                let window = buffers + j * stride
                window.update(from: window + (kept.lowerBound - base) * wp, count: kept.count * wp)
            }
        }

        /// Where block j's output row `first` goes (row r at `first`'s cell + (r - first) * wo).
        func outputs(_ buffers: UnsafeMutablePointer<Lanes>, block j: Int, first: Int) -> UnsafeMutablePointer<Lanes> {
            buffers + j * stride + inputCells - first * wo
        }
    }
}
