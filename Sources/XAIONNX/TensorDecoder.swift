import Foundation
import XAICore

/// Turns stored ONNX tensors (initializers, Constant values) into `ConstTensor`s.
/// Everything about the tensor is checked against the bytes actually present before an
/// array is allocated, so a hostile file cannot make the importer allocate more memory
/// than the file itself occupies.
struct TensorDecoder {
    let file: String
    /// Where tensors stored outside the model are read from; nil refuses them.
    var external: ExternalData? = nil

    /// Largest tensor accepted from a file (elements), 2^31 like `Shape.elementCount`.
    static let elementLimit = 1 << 31

    func decode(_ stored: Xai_Onnx_TensorProto, name fallback: String? = nil) throws -> ConstTensor {
        let name = stored.name.isEmpty ? (fallback ?? "<unnamed>") : stored.name
        var t = stored
        if t.dataLocation == 1 || !t.externalData.isEmpty {
            guard let external else {
                throw ONNXError.externalData(name: name, location: "", detail: "only initializers may keep their data outside the model", file: file)
            }
            // The bytes become raw_data, so the checks below bound them against the shape.
            t.rawData = try external.bytes(of: t, name: name)
            t.externalData = []
            t.dataLocation = 0
        }
        var shape = [Int]()
        shape.reserveCapacity(t.dims.count)
        for d in t.dims {
            guard d >= 0 else {
                throw ONNXError.invalidTensor(name: name, detail: "negative dimension \(d) in shape \(t.dims)", file: file)
            }
            shape.append(Int(d))
        }
        guard let n = Shape.elementCount(shape, limit: TensorDecoder.elementLimit) else {
            throw ONNXError.invalidTensor(
                name: name, detail: "shape \(t.dims) has more than \(TensorDecoder.elementLimit) elements", file: file)
        }
        let type = Int(t.dataType)
        switch type {
        case ONNXDataType.float:
            if t.hasRawData {
                try checkRawSize(t, name, n, 4)
                return ConstTensor(floats: t.rawData.withUnsafeBytes { TensorDecoder.floats($0, n) }, shape: shape)
            }
            try expect(t.floatData.count, n, name, "float_data")
            return ConstTensor(floats: t.floatData, shape: shape)
        case ONNXDataType.double:
            if t.hasRawData { return ConstTensor(floats: try raw(t, name, n, 8, Float.self) { Float(Double(bitPattern: $0)) }, shape: shape) }
            try expect(t.doubleData.count, n, name, "double_data")
            return ConstTensor(floats: t.doubleData.map { Float($0) }, shape: shape)
        case ONNXDataType.float16:
            if t.hasRawData { return ConstTensor(floats: try raw(t, name, n, 2, Float.self) { halfToFloat(UInt16(truncatingIfNeeded: $0)) }, shape: shape) }
            try expect(t.int32Data.count, n, name, "int32_data")
            return ConstTensor(floats: t.int32Data.map { halfToFloat(UInt16(truncatingIfNeeded: $0)) }, shape: shape)
        case ONNXDataType.bfloat16:
            if t.hasRawData { return ConstTensor(floats: try raw(t, name, n, 2, Float.self) { Float(bitPattern: UInt32(truncatingIfNeeded: $0) << 16) }, shape: shape) }
            try expect(t.int32Data.count, n, name, "int32_data")
            return ConstTensor(floats: t.int32Data.map { Float(bitPattern: UInt32(UInt16(truncatingIfNeeded: $0)) << 16) }, shape: shape)
        case ONNXDataType.int64:
            if t.hasRawData { return ConstTensor(ints: try raw(t, name, n, 8, Int.self) { Int(Int64(bitPattern: $0)) }, shape: shape) }
            try expect(t.int64Data.count, n, name, "int64_data")
            return ConstTensor(ints: t.int64Data.map { Int($0) }, shape: shape)
        case ONNXDataType.uint64:
            let values: [UInt64]
            if t.hasRawData { values = try raw(t, name, n, 8, UInt64.self) { $0 } } else {
                try expect(t.uint64Data.count, n, name, "uint64_data")
                values = t.uint64Data
            }
            return ConstTensor(ints: values.map { Int(truncatingIfNeeded: $0) }, shape: shape)
        case ONNXDataType.uint32:
            if t.hasRawData { return ConstTensor(ints: try raw(t, name, n, 4, Int.self) { Int(UInt32(truncatingIfNeeded: $0)) }, shape: shape) }
            try expect(t.uint64Data.count, n, name, "uint64_data")
            return ConstTensor(ints: t.uint64Data.map { Int(truncatingIfNeeded: $0) }, shape: shape)
        case ONNXDataType.int32, ONNXDataType.int16, ONNXDataType.int8, ONNXDataType.uint16,
             ONNXDataType.uint8, ONNXDataType.bool:
            let size = type == ONNXDataType.int32 ? 4 : (type == ONNXDataType.int16 || type == ONNXDataType.uint16) ? 2 : 1
            if t.hasRawData {
                let values: [Int] = try raw(t, name, n, size, Int.self) { bits in
                    switch type {
                    case ONNXDataType.int32: return Int(Int32(truncatingIfNeeded: bits))
                    case ONNXDataType.int16: return Int(Int16(truncatingIfNeeded: bits))
                    case ONNXDataType.int8: return Int(Int8(truncatingIfNeeded: bits))
                    default: return Int(bits)
                    }
                }
                return ConstTensor(ints: values, shape: shape)
            }
            try expect(t.int32Data.count, n, name, "int32_data")
            return ConstTensor(ints: t.int32Data.map { Int($0) }, shape: shape)
        default:
            throw ONNXError.unsupportedDataType(name: name, dataType: type, file: file)
        }
    }

    private func expect(_ have: Int, _ n: Int, _ name: String, _ field: String) throws {
        guard have == n else {
            let what = have == 0 && n > 0 ? "has no data" : "\(field) holds \(have) values"
            throw ONNXError.invalidTensor(name: name, detail: "\(what) but its shape needs \(n)", file: file)
        }
    }

    /// Reads `n` little-endian elements of `size` bytes from raw_data, after checking that
    /// raw_data holds exactly that many bytes. `convert` receives the zero-extended bits.
    private func raw<T>(_ t: Xai_Onnx_TensorProto, _ name: String, _ n: Int, _ size: Int, _: T.Type,
                        _ convert: (UInt64) -> T) throws -> [T] {
        try checkRawSize(t, name, n, size)
        return t.rawData.withUnsafeBytes { buf -> [T] in
            var out = [T]()
            out.reserveCapacity(n)
            for i in 0..<n {
                var bits: UInt64 = 0
                for b in 0..<size { bits |= UInt64(buf[i * size + b]) << (8 * b) }
                out.append(convert(bits))
            }
            return out
        }
    }

    private func checkRawSize(_ t: Xai_Onnx_TensorProto, _ name: String, _ n: Int, _ size: Int) throws {
        let have = t.rawData.count
        guard have == n * size else {
            throw ONNXError.invalidTensor(
                name: name, detail: "raw_data has \(have) bytes but its shape needs \(n) x \(size) = \(n * size)",
                file: file)
        }
    }

    /// Little-endian float32 bytes to floats; a plain copy on little-endian hosts, which
    /// matters for the hundreds of megabytes of weights in a VGG.
    private static func floats(_ buf: UnsafeRawBufferPointer, _ n: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: n) { out, count in
            #if _endian(little)
            if n > 0, let base = buf.baseAddress { memcpy(out.baseAddress!, base, n * 4) }
            #else
            for i in 0..<n {
                out[i] = Float(bitPattern: UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
            }
            #endif
            count = n
        }
    }
}

/// IEEE half-precision bits to Float.
func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h >> 15) << 31
    let exp = Int((h >> 10) & 0x1F)
    let mant = UInt32(h & 0x3FF)
    if exp == 0 {
        // Zero or subnormal: mant * 2^-24.
        let v = Float(mant) * Float(bitPattern: 0x3380_0000)
        return sign != 0 ? -v : v
    }
    if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
    return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (mant << 13))
}
