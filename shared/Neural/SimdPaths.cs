using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural;

/// <summary>The instruction-set path a kernel runs on.</summary>
public enum SimdPath
{
    /// <summary>Plain scalar C#: runs everywhere.</summary>
    Scalar = 0,

    /// <summary>256-bit vectors with FMA (x86 AVX2 + FMA3).</summary>
    Avx2 = 1,

    /// <summary>512-bit vectors with FMA (x86 AVX-512F).</summary>
    Avx512 = 2,
}

/// <summary>
/// Which kernel paths this CPU runs, and a scope that makes the calling flow use one of them (the others keep theirs):
/// for tests and tools that check that every path computes the same thing.
/// </summary>
public static class SimdPaths
{
    /// <summary>The widest path this CPU runs (what every kernel uses unless told otherwise).</summary>
    public static SimdPath Best => Simd.Best;

    /// <summary>Every path this CPU runs, narrowest first.</summary>
    public static IReadOnlyList<SimdPath> Supported => Simd.Supported;

    /// <summary>Runs the calling asynchronous flow's kernels on <paramref name="path"/> until the scope is disposed.</summary>
    /// <exception cref="PlatformNotSupportedException">This CPU cannot run <paramref name="path"/>.</exception>
    public static IDisposable Use(SimdPath path) => Simd.Force(path);
}
