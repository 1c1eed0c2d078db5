extension Duration {
    /// Whole milliseconds, rounded towards zero: the unit PostgreSQL intervals and settings (`lock_timeout`) are
    /// given in here.
    var wholeMilliseconds: Int64 {
        components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000
    }
}
