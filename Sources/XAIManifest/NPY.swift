import Foundation
import XAICore

/// NumPy `.npy` files (format version 1.0) holding little-endian float32 arrays in C order.
///
/// The header matches what `numpy.save` writes byte for byte: the magic string, version
/// 1.0, a little-endian UInt16 header length, then the header dictionary with spare spaces
/// for growing the first axis, padded with spaces and a final newline so the data starts at
/// a multiple of 64 bytes.
public enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"
    static let alignment = 64
    /// numpy leaves room for the first dimension to grow to this many digits in place.
    static let growthDigits = 21

    /// The bytes of a `.npy` file for `tensor` (its shape, e.g. [H, W] or [K, H, W]).
    public static func encode(_ tensor: Tensor) -> Data {
        var data = header(shape: tensor.shape)
        data.reserveCapacity(data.count + tensor.count * 4)
        #if _endian(little)
        tensor.data.withUnsafeBytes { data.append(contentsOf: $0) }
        #else
        for v in tensor.data { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        #endif
        return data
    }

    /// Writes `tensor` to `url` atomically.
    public static func write(_ tensor: Tensor, to url: URL) throws {
        try AtomicFile.write(encode(tensor), to: url)
    }

    /// Reads a float32 `.npy` file.
    public static func read(_ url: URL) throws -> Tensor {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw OutputError.io(path: url.path, operation: "read", error: error)
        }
        return try decode(data, path: url.path)
    }

    /// The header bytes (magic, version, length, padded dictionary) for an array of `shape`.
    static func header(shape: [Int]) -> Data {
        let dims: String
        switch shape.count {
        case 0: dims = "()"
        case 1: dims = "(\(shape[0]),)"
        default: dims = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': \(dims), }"
        if let first = shape.first {
            dict += String(repeating: " ", count: max(0, growthDigits - String(first).count))
        }
        // 6 magic + 2 version + 2 length bytes precede the dictionary; +1 for the newline.
        let unpadded = magic.count + 2 + 2 + dict.utf8.count + 1
        let pad = alignment - unpadded % alignment
        let length = dict.utf8.count + pad + 1
        var out = Data(magic)
        out.append(contentsOf: [1, 0, UInt8(length & 0xff), UInt8(length >> 8)])
        out.append(contentsOf: Array(dict.utf8))
        out.append(contentsOf: [UInt8](repeating: 0x20, count: pad))
        out.append(0x0A)
        return out
    }

    /// Parses `.npy` bytes (versions 1.0 to 3.0, dtype `<f4`, C order).
    public static func decode(_ data: Data, path: String = "<data>") throws -> Tensor {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw OutputError.npy(path: path, detail: "missing the \\x93NUMPY magic string")
        }
        let major = bytes[6]
        let headerStart: Int, headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw OutputError.npy(path: path, detail: "truncated header") }
            headerStart = 12
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        default:
            throw OutputError.npy(path: path, detail: "unsupported format version \(major).\(bytes[7])")
        }
        guard headerStart + headerLength <= bytes.count else {
            throw OutputError.npy(path: path, detail: "header length \(headerLength) runs past the end of the file")
        }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field("descr", in: header), descr.contains("'<f4'") || descr.contains("\"<f4\"") else {
            throw OutputError.npy(path: path, detail: "only little-endian float32 ('<f4') arrays are supported")
        }
        guard let fortran = field("fortran_order", in: header), fortran.hasPrefix("False") else {
            throw OutputError.npy(path: path, detail: "only C-order arrays are supported (fortran_order must be False)")
        }
        guard let shapeText = field("shape", in: header), let shape = parseShape(shapeText) else {
            throw OutputError.npy(path: path, detail: "cannot read the shape in header \(header.debugDescription)")
        }
        guard let count = Shape.elementCount(shape) else {
            throw OutputError.npy(path: path, detail: "shape \(shape) is too large")
        }
        let start = headerStart + headerLength
        guard bytes.count - start == count * 4 else {
            throw OutputError.npy(path: path, detail: "shape \(shape) needs \(count * 4) data bytes, file has \(bytes.count - start)")
        }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[start..<(start + count * 4)]))
            }
        }
        #if _endian(big)
        values = values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
        #endif
        return try Tensor.checked(shape: shape, data: values)
    }

    /// The text after `'name':` in a header dictionary.
    private static func field(_ name: String, in header: String) -> Substring? {
        for quote in ["'", "\""] {
            if let r = header.range(of: "\(quote)\(name)\(quote):") {
                return header[r.upperBound...].drop { $0 == " " }
            }
        }
        return nil
    }

    private static func parseShape(_ text: Substring) -> [Int]? {
        guard text.first == "(", let close = text.firstIndex(of: ")") else { return nil }
        let inner = text[text.index(after: text.startIndex)..<close]
        var dims = [Int]()
        for part in inner.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let d = Int(t), d >= 0 else { return nil }
            dims.append(d)
        }
        return dims
    }
}
