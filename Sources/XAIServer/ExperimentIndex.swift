import Foundation
import XAICore
import XAIManifest
import XAIReport

/// The experiments in the outputs folder, each from its `manifest.json`, read through
/// `OutputFiles` like any served file (a linked or oversized manifest is skipped, not followed).
struct ExperimentIndex {
    /// One experiment, as `GET /api/experiments` lists it.
    struct Entry: Codable, Equatable {
        var name: String
        var images: Int
        var results: Int
        var models: [String]
        var methods: [String]
        /// The static gallery's URL, when there is one.
        var gallery: String?
        /// Made by an explain request (`upload-...`), not by an experiment file.
        var upload: Bool
    }

    let files: OutputFiles

    func entries() throws -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: files.root.path)) ?? []
        return names.sorted().compactMap { name in
            guard PathComponent.problem(name) == nil, let m = try? manifest(name) else { return nil }
            let gallery = try? files.read(ServedPath(raw: [Substring(name), Substring(Gallery.indexFile)]))
            return Entry(name: name, images: m.images.count, results: m.results.count,
                         models: m.models.map(\.name), methods: Self.unique(m.results.map(\.instance)),
                         gallery: gallery == nil ? nil : FileURLs.url(experiment: name, path: Gallery.indexFile),
                         upload: name.hasPrefix(ExplainRequest.namePrefix))
        }
    }

    /// The raw manifest of experiment `name`. - Throws: `ServerError.notFound`.
    func manifestBytes(_ name: String) throws -> [UInt8] {
        guard PathComponent.problem(name) == nil else { throw ServerError.notFound("experiment \(name)") }
        return try files.read(ServedPath(raw: [Substring(name), "manifest.json"]))
    }

    func manifest(_ name: String) throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(manifestBytes(name)))
    }

    static func unique(_ xs: [String]) -> [String] {
        var seen = Set<String>()
        return xs.filter { seen.insert($0).inserted }
    }
}
