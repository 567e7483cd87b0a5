/* The 128-bit SIMD API the kernels in src/kernels/wasmsimd/ are written against: clang's <wasm_simd128.h>
 * under emcc -msimd128, or, natively (-DTT_NATIVE_SIMD), the same subset on GCC/clang generic vectors
 * (simd128_native.h), so the very same twin files also build for the CLI and run under the sanitizers. */
#ifndef TT_SIMD128_H
#define TT_SIMD128_H

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(TT_NATIVE_SIMD)
#include "kernels/simd128_native.h"
#else
#error "the SIMD128 kernels need emcc -msimd128 or a native build with -DTT_NATIVE_SIMD"
#endif

#endif
