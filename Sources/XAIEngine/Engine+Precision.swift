extension Engine {
    /// This engine computing its group-1 convolutions in `precision` where the CPU can (see
    /// `Precision.runnable`; `precision` of the result says what runs). The variant shares
    /// the prepared plans, so bf16 filters are packed once for all variants.
    public func computing(in precision: Precision) -> Engine {
        let runnable = precision.runnable
        return runnable == self.precision ? self : Engine(sharing: self, precision: runnable)
    }
}
