using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace SecureTransmit.Neural.Internal;

/// <summary>
/// Chooses the widest kernel path the CPU supports. A caller may choose a narrower one with
/// <see cref="Force"/> for its own asynchronous flow (the choice flows into the worker threads its kernels start, and
/// nowhere else, so tests that force different paths can run in parallel); forcing a path the CPU lacks throws.
/// </summary>
internal static class Simd
{
    private static readonly AsyncLocal<SimdPath?> s_forced = new();

    /// <summary>The best path this CPU runs.</summary>
    public static SimdPath Best { get; } =
        Avx512F.IsSupported ? SimdPath.Avx512
        : Avx2.IsSupported && Fma.IsSupported ? SimdPath.Avx2
        : SimdPath.Scalar;

    /// <summary>The path kernels use now: the forced one, else <see cref="Best"/>.</summary>
    public static SimdPath Active
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => s_forced.Value ?? Best;
    }

    public static bool IsSupported(SimdPath path) => path switch
    {
        SimdPath.Scalar => true,
        SimdPath.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        SimdPath.Avx512 => Avx512F.IsSupported,
        _ => false,
    };

    /// <summary>All paths this CPU supports, narrowest first.</summary>
    public static IReadOnlyList<SimdPath> Supported { get; } =
        Enum.GetValues<SimdPath>().Where(IsSupported).ToArray();

    /// <summary>Forces <paramref name="path"/> for the kernels this flow runs until the returned scope is disposed.</summary>
    public static IDisposable Force(SimdPath path)
    {
        if (!IsSupported(path)) throw new PlatformNotSupportedException($"this CPU cannot run the {path} path");
        var previous = s_forced.Value;
        s_forced.Value = path;
        return new Restore(previous);
    }

    private sealed class Restore(SimdPath? previous) : IDisposable
    {
        public void Dispose() => s_forced.Value = previous;
    }
}

/// <summary>
/// A 64-byte aligned, pinned float buffer that grows on demand. Used as per-thread scratch for
/// packing; freed by the GC with its owner.
/// </summary>
internal sealed unsafe class Scratch
{
    private float[] _array = [];
    private float* _ptr;

    public int Capacity { get; private set; }

    /// <summary>A pointer to at least <paramref name="floats"/> floats; contents are undefined.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Get(int floats) => floats <= Capacity ? _ptr : Grow(floats);

    private float* Grow(int floats)
    {
        int cap = Math.Max(floats, Capacity * 3 / 2);
        _array = GC.AllocateUninitializedArray<float>(cap + 16, pinned: true);
        var p = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        _ptr = (float*)(((nint)p + 63) & ~(nint)63);
        Capacity = cap;
        return _ptr;
    }

    [ThreadStatic] private static Scratch[]? t_slots;

    /// <summary>The calling thread's buffer for <paramref name="slot"/>; distinct slots never alias.</summary>
    public static Scratch For(ScratchSlot slot)
    {
        var slots = t_slots ??= new Scratch[(int)ScratchSlot.Count];
        return slots[(int)slot] ??= new Scratch();
    }
}

/// <summary>Per-thread scratch buffers, one per use, so nested kernels never share one.</summary>
internal enum ScratchSlot
{
    GemmA, GemmB, GemmSharedB, ConvPadded, ConvPanel, ConvColumns, ConvTile, ConvGradOut, ConvPaddedGroup, Count,
}
