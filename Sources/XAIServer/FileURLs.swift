import XAIReport

/// URLs of files below the outputs folder, as `/files/` serves them: one fact, used by every
/// answer that points at a map, an overlay or a page.
enum FileURLs {
    static let prefix = "/files/"

    /// `/files/<experiment>/<path>`, each segment percent-encoded; nil for a path that would leave
    /// the experiment's folder.
    static func url(experiment: String, path: String) -> String? {
        HTML.relativeURL(path).map { prefix + HTML.percentEncode(experiment) + "/" + $0 }
    }
}
