using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SecureTransmit.Neural.Internal;

/// <summary>
/// The vector operations the wide kernels use, once per register width. Each kernel is written once, generic
/// over <typeparamref name="TV"/> and a struct implementing this interface; because both are value types the JIT
/// compiles a separate copy of the kernel per width and inlines every call below to the single instruction it
/// names, so the generic kernel compiles to the same code as a hand-written twin per width.
/// (.NET 10 keeps <c>ISimdVector&lt;TSelf, T&gt;</c> internal, hence this small interface of our own.)
/// </summary>
/// <typeparam name="TV">The vector type: <see cref="Vector256{T}"/> or <see cref="Vector512{T}"/> of float.</typeparam>
internal unsafe interface IWidth<TV> where TV : unmanaged
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>The path this width belongs to.</summary>
    static abstract SimdPath Path { get; }

    static abstract TV Load(float* p);

    static abstract void Store(float* p, TV v);

    /// <summary>Every lane set to <paramref name="x"/>.</summary>
    static abstract TV Splat(float x);

    /// <summary><c>a·b + c</c>, rounded once (the FMA instruction).</summary>
    static abstract TV MulAdd(TV a, TV b, TV c);

    static abstract TV Add(TV a, TV b);

    static abstract TV Scale(TV a, float s);

    /// <summary>The sum of the lanes.</summary>
    static abstract float Sum(TV v);
}

/// <summary>256-bit vectors with FMA3 (<see cref="SimdPath.Avx2"/>).</summary>
internal readonly unsafe struct W256 : IWidth<Vector256<float>>
{
    public static int Count => 8;
    public static SimdPath Path => SimdPath.Avx2;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector256<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Scale(Vector256<float> a, float s) => a * s;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> v) => Vector256.Sum(v);
}

/// <summary>512-bit vectors (<see cref="SimdPath.Avx512"/>).</summary>
internal readonly unsafe struct W512 : IWidth<Vector512<float>>
{
    public static int Count => 16;
    public static SimdPath Path => SimdPath.Avx512;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector512<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MulAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Scale(Vector512<float> a, float s) => a * s;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> v) => Vector512.Sum(v);
}

/// <summary>A compile-time row count: the JIT specializes a generic kernel per struct and folds
/// <c>TRows.N</c> to a constant, so the unused accumulators of a short panel disappear.</summary>
internal interface IRows { static abstract int N { get; } }

internal struct R1 : IRows { public static int N => 1; }
internal struct R2 : IRows { public static int N => 2; }
internal struct R3 : IRows { public static int N => 3; }
internal struct R4 : IRows { public static int N => 4; }
internal struct R5 : IRows { public static int N => 5; }
internal struct R6 : IRows { public static int N => 6; }
internal struct R7 : IRows { public static int N => 7; }
internal struct R8 : IRows { public static int N => 8; }
internal struct R9 : IRows { public static int N => 9; }
internal struct R10 : IRows { public static int N => 10; }
internal struct R11 : IRows { public static int N => 11; }
internal struct R12 : IRows { public static int N => 12; }

/// <summary>
/// How many kernel calls ran on each path on the calling thread: the evidence a test needs that forcing a path
/// really ran that path's kernels. One thread-local increment per kernel call (a call is at least a full k block).
/// </summary>
internal static class KernelCalls
{
    [ThreadStatic] private static long[]? t_counts;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Note(SimdPath path) => (t_counts ??= new long[3])[(int)path]++;

    /// <summary>Kernel calls on <paramref name="path"/> this thread has made so far.</summary>
    public static long On(SimdPath path) => t_counts is { } c ? c[(int)path] : 0;
}
