internal import CImageCodec

/// Bridges the C codec to `RGBImage`: calls the decoder, maps its status to `ImageError`,
/// converts samples to planar float and applies alpha policy and EXIF orientation.
enum ImageDecoder {
    static func decode(_ bytes: [UInt8], source: String, alpha: AlphaPolicy, limits: ImageLimits) throws -> RGBImage {
        let format = ImageFormat.detect(bytes)
        switch format {
        case .png, .jpeg:
            break
        case .other(let name):
            throw ImageError.unsupportedFormat(source: source, format: name)
        case .unknown:
            if bytes.isEmpty { throw ImageError.notAnImage(source: source, detail: "the file is empty") }
            if ImageFormat.isSignaturePrefix(bytes) {
                throw ImageError.truncated(source: source, detail: "only \(bytes.count) bytes")
            }
            throw ImageError.notAnImage(source: source, detail: "no PNG or JPEG signature in the first bytes")
        }
        var raw = xai_image()
        var limitsC = xai_limits(max_side: Int32(clamping: limits.maxSide), max_pixels: Int64(limits.maxPixels),
                                 max_aspect: Int64(limits.maxAspectRatio))
        var message = [CChar](repeating: 0, count: 512)
        let status: Int32 = bytes.withUnsafeBufferPointer { buf in
            message.withUnsafeMutableBufferPointer { msg in
                if format == .png {
                    return xai_png_decode(buf.baseAddress, buf.count, &limitsC, &raw, msg.baseAddress, msg.count)
                }
                return xai_jpeg_decode(buf.baseAddress, buf.count, &limitsC, &raw, msg.baseAddress, msg.count)
            }
        }
        defer { xai_free(raw.data) }
        let detail = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let kind = format == .png ? "PNG" : "JPEG"
        switch Int(status) {
        case Int(XAI_OK): break
        case Int(XAI_ERR_TRUNCATED): throw ImageError.truncated(source: source, detail: "\(kind): \(detail)")
        case Int(XAI_ERR_TOO_LARGE): throw ImageError.tooLarge(source: source, detail: detail)
        case Int(XAI_ERR_UNSUPPORTED): throw ImageError.unsupported(source: source, detail: "\(kind): \(detail)")
        case Int(XAI_ERR_NOMEM): throw ImageError.tooLarge(source: source, detail: "out of memory: \(detail)")
        default: throw ImageError.corrupt(source: source, detail: "\(kind): \(detail)")
        }
        guard let data = raw.data, raw.width > 0, raw.height > 0, (1...4).contains(raw.channels) else {
            throw ImageError.corrupt(source: source, detail: "\(kind): decoder returned no pixels")
        }
        let image = convert(data, width: Int(raw.width), height: Int(raw.height), channels: Int(raw.channels),
                            bitDepth: Int(raw.bit_depth), alpha: alpha)
        return image.applyingEXIFOrientation(Int(raw.orientation))
    }

    /// Interleaved 8/16-bit gray, gray+alpha, RGB or RGBA to planar float RGB in 0...1.
    private static func convert(_ data: UnsafeMutablePointer<UInt8>, width: Int, height: Int, channels: Int,
                                bitDepth: Int, alpha: AlphaPolicy) -> RGBImage {
        let n = width * height
        var out = [Float](repeating: 0, count: 3 * n)
        let hasAlpha = channels == 2 || channels == 4
        let colors = hasAlpha ? channels - 1 : channels
        var background: (Float, Float, Float)? = nil
        if case .composite(let bg) = alpha, hasAlpha { background = bg }
        func run(_ sample: (Int) -> Float) {
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    let base = i * channels
                    var r = sample(base), g = r, b = r
                    if colors == 3 { g = sample(base + 1); b = sample(base + 2) }
                    if let bg = background {
                        let a = sample(base + colors)
                        r = r * a + bg.0 * (1 - a)
                        g = g * a + bg.1 * (1 - a)
                        b = b * a + bg.2 * (1 - a)
                    }
                    dst[i] = r
                    dst[n + i] = g
                    dst[2 * n + i] = b
                }
            }
        }
        if bitDepth == 16 {
            let p = UnsafeRawPointer(data).assumingMemoryBound(to: UInt16.self)
            run { Float(p[$0]) * (1 / 65535) }
        } else {
            run { Float(data[$0]) * (1 / 255) }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}
