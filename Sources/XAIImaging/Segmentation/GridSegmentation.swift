/// A regular grid of `cells x cells` rectangles (cell edges at `i * size / cells`), the simplest
/// superpixels: useful as a content-independent baseline for LIME, KernelSHAP and anchors.
struct GridSegmentation {
    let cells: Int

    func segment(width: Int, height: Int) -> Segmentation {
        let cy = min(cells, height), cx = min(cells, width)
        var labels = [Int32](repeating: 0, count: width * height)
        for y in 0..<height {
            let gy = y * cy / height
            for x in 0..<width {
                labels[y * width + x] = Int32(gy * cx + x * cx / width)
            }
        }
        return Segmentation(width: width, height: height, labels: labels)
    }
}
