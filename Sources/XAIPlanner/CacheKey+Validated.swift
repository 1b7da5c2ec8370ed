extension CacheKey {
    /// The key for `hex` when it has the form of one (64 lowercase hex digits), else nil: keys
    /// read from a stored manifest or the run history never become cache paths unchecked.
    public static func validated(_ hex: String?) -> CacheKey? {
        guard let hex, CacheStore.isHex(hex, length: 64) else { return nil }
        return CacheKey(hex: hex)
    }
}
