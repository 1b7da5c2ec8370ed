import XAICore
import XAIEngine

extension GraphImporter {
    /// Finds the single image input and fixes its layout and size.
    ///
    /// Graph inputs that also have an initializer are weights (older exporters list them as
    /// inputs). The image must be rank 4. It is NCHW unless every node that reads it is a
    /// Transpose with perm [0, 3, 1, 2] (or a Shape), which is how tf2onnx feeds an NHWC
    /// Keras input into NCHW convolutions; the transposes are dropped and the graph's input
    /// (keeping the ONNX input name) is NCHW. An NHWC input read by other nodes (recognised by a channel count
    /// of 1, 3 or 4 in the last place) becomes NCHW and is transposed back to NHWC for them.
    /// Either way the graph input keeps the ONNX input's name.
    /// The batch dimension is always left free.
    func setUpInput() throws {
        let real = graph.input.filter { values[$0.name] == nil }
        guard real.count == 1, let input = real.first else {
            let names = real.map { "'\($0.name)'" }.joined(separator: ", ")
            throw ONNXError.badInput(
                detail: real.isEmpty
                    ? "the model has no input besides its weights"
                    : "the model has \(real.count) inputs (\(names)); only models with one image input are supported",
                file: file)
        }
        let name = input.name
        guard case let .tensorType(tt)? = input.type.value else {
            throw ONNXError.badInput(detail: "input '\(name)' is not a tensor", file: file)
        }
        if tt.hasElemType, tt.elemType != Int32(ONNXDataType.float) {
            throw ONNXError.badInput(
                detail: "input '\(name)' has element type \(ONNXDataType.name(Int(tt.elemType))); only float32 images are supported",
                file: file)
        }
        let dims = tt.shape.dim.map { d -> Int? in
            if case let .dimValue(v)? = d.value, v > 0, v < Int64(NodeContext.intLimit) { return Int(v) }
            return nil
        }
        guard dims.count == 4 else {
            throw ONNXError.badInput(
                detail: "input '\(name)' has rank \(dims.count); an image batch of rank 4 (N, C, H, W) is expected",
                file: file)
        }

        let readers = graph.node.enumerated().filter { $0.element.input.contains(name) }
        let transposes = readers.filter { isNHWCToNCHW($0.element) }
        let shapeReaders = readers.filter { $0.element.opType == "Shape" }
        // Only transposes read it: they are absorbed. Otherwise NHWC is recognised by an image
        // channel count (1, 3, 4) last, an image-sized or symbolic second dimension, and a
        // transpose to NCHW somewhere in the graph (e.g. after a Keras Rescaling layer); the
        // image is then transposed back to NHWC inside the graph.
        let absorb = !transposes.isEmpty && transposes.count + shapeReaders.count == readers.count
        let channelsLast = [1, 3, 4].contains(dims[3] ?? 0) && (dims[1] ?? Int.max) > 4
            && graph.node.contains(where: isNHWCToNCHW)
        let nhwc = absorb || channelsLast
        let (c, h, w) = nhwc ? (dims[3], dims[1], dims[2]) : (dims[1], dims[2], dims[3])

        guard let channels = c else {
            throw ONNXError.badInput(detail: "input '\(name)' does not state its number of channels", file: file)
        }
        let height = try resolve(h, inputSize?.height ?? (h == nil ? defaultInputSize?.height : nil), "height", name)
        let width = try resolve(w, inputSize?.width ?? (w == nil ? defaultInputSize?.width : nil), "width", name)
        inputShape = [channels, height, width]
        guard Shape.elementCount(inputShape, limit: GraphImporter.itemLimit) != nil else {
            throw ONNXError.badInput(detail: "input '\(name)' of size \(inputShape) is too large", file: file)
        }

        let nchw: [Dim] = [.batch, .value(channels), .value(height), .value(width)]
        if nhwc && !absorb {
            // The graph input (NCHW) keeps the ONNX name; the nodes that read the image get
            // it transposed back to NHWC under a new name.
            let nhwcName = freshName("\(name)/nhwc")
            nodes.append(Node(name: nhwcName, op: .transpose(perm: [0, 2, 3, 1]), inputs: [name], output: nhwcName))
            values[nhwcName] = .runtime([.batch, .value(height), .value(width), .value(channels)])
            values[name] = values[nhwcName]
            aliases[name] = nhwcName
            inputName = name
        } else if nhwc {
            // Shape(image) still sees NHWC; the transposes' outputs are the image itself.
            values[name] = .runtime([.batch, .value(height), .value(width), .value(channels)])
            inputName = name
            for t in transposes {
                guard let out = t.element.output.first else { continue }
                values[out] = .runtime(nchw)
                aliases[out] = name
                absorbed.insert(t.offset)
            }
        } else {
            inputName = name
            values[name] = .runtime(nchw)
        }
        takenNames.insert(name)
    }

    private func isNHWCToNCHW(_ node: Xai_Onnx_NodeProto) -> Bool {
        guard node.opType == "Transpose", node.domain.isEmpty || node.domain == "ai.onnx",
              let perm = node.attribute.first(where: { $0.name == "perm" }) else { return false }
        return perm.ints == [0, 3, 1, 2] && node.output.count == 1 && !node.output[0].isEmpty
    }

    /// A spatial size: the model's own when it states one (a caller's differing size is an
    /// error, since folded shapes depend on it), else the caller's, else an error.
    private func resolve(_ stated: Int?, _ given: Int?, _ what: String, _ name: String) throws -> Int {
        if let s = stated {
            if let g = given, g != s {
                throw ONNXError.badInput(
                    detail: "input '\(name)' has a fixed \(what) of \(s), but an input size of \(g) was requested; "
                        + "resize images to \(s) or re-export the model with a dynamic \(what)",
                    file: file)
            }
            return s
        }
        guard let g = given else {
            throw ONNXError.badInput(
                detail: "input '\(name)' has a symbolic \(what); pass an input size (e.g. 224x224) when loading",
                file: file)
        }
        guard g > 0, g < 1 << 16 else {
            throw ONNXError.badInput(detail: "requested input \(what) \(g) is out of range", file: file)
        }
        return g
    }
}
