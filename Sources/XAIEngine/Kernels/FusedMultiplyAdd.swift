// acc += a * b for the kernels' vectors: one fused instruction in host-CPU builds (the Makefile
// defines XAI_FMA when the CPU has FMA), a multiply and an add in portable ones. Transparent:
// the kernels call it inside closures, where plain inline(__always) was not always honoured.

@_transparent
func madd(_ acc: inout SIMD16<Float>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) {
    #if XAI_FMA
    acc.addProduct(a, b)
    #else
    acc += a * b
    #endif
}

@_transparent
func madd(_ acc: inout SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) {
    #if XAI_FMA
    acc.addProduct(a, b)
    #else
    acc += a * b
    #endif
}
