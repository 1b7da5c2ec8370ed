import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension OutputError {
    /// `.io` for a failed Foundation or POSIX file operation, its cause in plain words.
    public static func io(path: String, operation: String, error: Error) -> OutputError {
        .io(path: path, operation: operation, detail: describe(error))
    }

    /// The cause of a file system error in plain words ("No space left on device"), never
    /// Foundation's domain and number ("NSCocoaErrorDomain Code=640") or a message that blames
    /// the wrong thing. The POSIX error underneath is preferred: it is the most exact.
    public static func describe(_ error: Error) -> String {
        if let e = error as? OutputError { return e.description }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSCocoaErrorDomain, let text = cocoaText[ns.code] { return text }
        return "\(ns.domain) error \(ns.code)"
    }

    /// Foundation's file error codes (`CocoaError.Code`) in words, for errors that carry no
    /// POSIX error.
    private static let cocoaText: [Int: String] = [
        CocoaError.fileNoSuchFile.rawValue: "No such file or directory",
        CocoaError.fileLocking.rawValue: "the file is locked",
        CocoaError.fileReadUnknown.rawValue: "it cannot be read (not a regular file, or too large)",
        CocoaError.fileReadNoPermission.rawValue: "Permission denied",
        CocoaError.fileReadInvalidFileName.rawValue: "the file name is not valid",
        CocoaError.fileReadCorruptFile.rawValue: "the file is corrupt",
        CocoaError.fileReadNoSuchFile.rawValue: "No such file or directory",
        CocoaError.fileReadInapplicableStringEncoding.rawValue: "the text is not in the expected encoding",
        CocoaError.fileReadTooLarge.rawValue: "the file is too large to read",
        CocoaError.fileWriteUnknown.rawValue: "it cannot be written",
        CocoaError.fileWriteNoPermission.rawValue: "Permission denied",
        CocoaError.fileWriteInvalidFileName.rawValue: "the file name is not valid",
        CocoaError.fileWriteFileExists.rawValue: "a file of that name exists",
        CocoaError.fileWriteOutOfSpace.rawValue: "No space left on device",
        CocoaError.fileWriteVolumeReadOnly.rawValue: "Read-only file system",
    ]
}
