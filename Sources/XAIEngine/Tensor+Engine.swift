import XAICore

extension Tensor {
    /// A tensor whose storage `fill` writes completely (no zero-fill first).
    init(uninitialized shape: [Int], _ fill: (UnsafeMutablePointer<Float>, Int) -> Void) {
        let n = shape.reduce(1, *)
        let data = [Float](unsafeUninitializedCapacity: n) { buf, count in
            if n > 0, let p = buf.baseAddress { fill(p, n) }
            count = n
        }
        self.init(shape: shape, data: data)
    }

    /// Same values, applying `f` element by element.
    func map(_ f: (Float) -> Float) -> Tensor {
        Tensor(shape: shape, data: data.map(f))
    }
}

extension Array where Element == Int {
    var product: Int { reduce(1, *) }
}
