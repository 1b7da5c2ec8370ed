import XAICore

/// Scratch memory for one forward or backward call: buffers grow to the largest request and
/// are reused by every op of the call, so the hot loop does not allocate im2col matrices.
/// One workspace per call keeps the engine safe for concurrent calls.
final class Workspace {
    /// Every conv output computed from its receptive field alone, bitwise: the DeepLIFT-family
    /// rules divide differences between two passes elementwise, and where an input and its
    /// reference agree over a receptive field the outputs must agree exactly (Winograd's
    /// transforms mix the rounding of a whole 6x6 patch into each output, so it is off).
    let exactLocality: Bool
    /// The call is one micro-batch of a pass whose items must get the same bits in whatever
    /// micro-batch they land (`Engine.scoresItemsAlike`), or a batch of occlusion's perturbed
    /// items (`Engine.logits(_:changedIn:base:)`): kernels then choose their algorithm by an
    /// item's sizes, never by how many items the call has.
    let itemsAlike: Bool

    init(exactLocality: Bool = false, itemsAlike: Bool = false) {
        self.exactLocality = exactLocality
        self.itemsAlike = itemsAlike
    }

    private var buffers: [UnsafeMutablePointer<Float>?] = []
    private var capacities: [Int] = []
    /// Arithmetic of the call's group-1 convolution products (the engine's `precision`).
    var precision = Precision.fp32

    /// A buffer of at least `count` floats in `slot`; contents are undefined.
    func buffer(_ slot: Int, _ count: Int) -> UnsafeMutablePointer<Float> {
        while buffers.count <= slot {
            buffers.append(nil)
            capacities.append(0)
        }
        if let p = buffers[slot], capacities[slot] >= count { return p }
        buffers[slot]?.deallocate()
        let cap = max(count, 16)
        let p = UnsafeMutablePointer<Float>.allocate(capacity: cap)
        buffers[slot] = p
        capacities[slot] = cap
        return p
    }

    deinit {
        for p in buffers { p?.deallocate() }
    }

    /// A tensor whose storage `fill` writes completely. Tensors come straight from malloc:
    /// with `MemoryTuning` glibc keeps freed blocks in the heap, which reuses them better than
    /// a size-keyed pool did (a quarter of the page faults and memory at batch 32).
    func tensor(_ shape: [Int], _ fill: (UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        Tensor(uninitialized: shape, fill)
    }

    /// A zero-filled tensor.
    func zeros(_ shape: [Int]) -> Tensor {
        Tensor(zeros: shape)
    }
}
