import XAICore
import XAIMethods

/// Logits that several metric tasks compute alike, shared through the intermediate cache
/// (`ModelContext.cache`) so that the model sees each picture once:
///
/// - sets of pictures of one map (`logits(key:...)`): the four confidence metrics of a map
///   (drop and increase, keep and remove) all score its top pixels kept and removed;
/// - single pictures of one image that do not depend on the map (`Picture`): the image itself
///   (the first or last point of every curve metric of every method) and a picture that is all
///   fill (the other end of deletion's and insertion's curves);
/// - perturbations of one image that maps agreeing on what to perturb ask for alike
///   (`Picture.perturbed`): the curve metrics' pictures are named by the set of pixels or
///   regions they change, not by the map that chose it. On compare-methods' 21 maps per image
///   (CAM, Grad-CAM and HiResCAM agree to 1e-6 on Lite0, and at the first steps many maps pick
///   the same regions) 17% of AOPC's pictures and 10% of deletion's, insertion's and ROAD's
///   repeat another map's.
///
/// The engine gives each picture of a batch the same logits whatever else the batch holds (its
/// micro-batches and the classifier head compute every item alone; `SharedLogitsTests` checks
/// it), so a shared row is bit for bit the one the task would compute itself. A bf16 pass does
/// not (its products run on across a micro-batch's items), so bf16 logits are never shared
/// (`Engine.scoresItemsAlike`). The keys name everything that decides the pictures; the model
/// and the image are part of the map's and the image's keys (`MetricInput.mapKey`,
/// `MetricInput.imageKey`). A cached tensor of another shape, or with values that are not
/// finite, counts as absent and is recomputed.
enum SharedLogits {
    /// A picture of one image that other metric tasks score too.
    enum Picture: Equatable, CustomStringConvertible {
        /// The image itself.
        case original
        /// Every pixel replaced by the fill.
        case fill(Fill)
        /// The image perturbed as `recipe` says; the recipe names everything that decides the
        /// picture, the perturbed pixels or regions as a bit mask (`mask`).
        case perturbed(String)

        var description: String {
            switch self {
            case .original: return "original"
            case .fill(let f): return "fill=\(f)"
            case .perturbed(let recipe): return "perturbed/" + recipe
            }
        }

        /// The key of this picture of the image `imageKey` names; nil (no sharing) without one.
        func key(image imageKey: String?) -> String? {
            imageKey.map { "picture/\($0)/\(self)" }
        }

        /// The image with the pixels whose flag is set replaced by `fill`: deletion's,
        /// insertion's and the confidence metrics' pictures, named alike so they find each other.
        static func filled<S: Sequence<Bool>>(_ fill: Fill, where flags: S) -> Picture {
            .perturbed("fill=\(fill)/" + SharedLogits.mask(flags))
        }
    }

    /// The keys of `pictures` (by index in a set of pictures) of the image `imageKey` names, for
    /// `TargetProbabilities`' `shared`; empty without an image key.
    static func keys(_ pictures: [Int: Picture], image imageKey: String?) -> [Int: String] {
        pictures.compactMapValues { $0.key(image: imageKey) }
    }

    /// Whether `pictures` masks of `flags` flags each fit the budget of 4 Mi characters for one
    /// task's keys (a curve of thousands of steps over a large image would hold gigabytes of
    /// them); beyond it the pictures are scored without sharing.
    static func affordable(pictures: Int, flags: Int) -> Bool {
        let (characters, overflow) = pictures.multipliedReportingOverflow(by: flags / 4 + 1)
        return !overflow && characters <= 1 << 22
    }

    /// `flags` as hexadecimal digits of four flags each (the first flag the lowest bit), for a
    /// `perturbed` recipe.
    static func mask<S: Sequence<Bool>>(_ flags: S) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [], nibble = 0, bit = 0
        for f in flags {
            if f { nibble |= 1 << bit }
            bit += 1
            if bit == 4 { out.append(digits[nibble]); (nibble, bit) = (0, 0) }
        }
        if bit > 0 { out.append(digits[nibble]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func fullKey(_ key: String) -> String { "metric-logits/v1/" + key }

    /// The logits [rows, classes] stored under `key`, when they are there and sound.
    static func load(_ key: String, rows: Int, model: ModelContext) -> Tensor? {
        model.cache?.load(fullKey(key), shape: [rows, model.engine.classCount])
    }

    static func store(_ key: String, _ logits: Tensor, model: ModelContext) {
        model.cache?.store(fullKey(key), logits)
    }

    /// The logits [count, classes] stored under `key`, else `compute()`'s, stored under it.
    /// - Parameter key: nil computes without sharing.
    static func logits(key: String?, count: Int, model: ModelContext, compute: () throws -> Tensor) throws -> Tensor {
        guard let key, model.cache != nil else { return try compute() }
        if let t = load(key, rows: count, model: model) { return t }
        let t = try compute()
        store(key, t, model: model)
        return t
    }
}
