namespace SecureTransmit.Neural.Internal;

/// <summary>Output tensors for layers: fresh, or a kept buffer when the module reuses buffers.</summary>
internal static class Buffers
{
    /// <summary>
    /// A tensor of <paramref name="shape"/> whose contents are undefined (the caller overwrites every
    /// element). With <paramref name="reuse"/> the array in <paramref name="cache"/> is reused (grown when
    /// too small), else a new array is allocated.
    /// </summary>
    public static Tensor Uninitialized(bool reuse, ref float[]? cache, params int[] shape)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        if (n > int.MaxValue) throw new ArgumentException($"tensor [{string.Join(",", shape)}] too large");
        if (!reuse) return new Tensor(GC.AllocateUninitializedArray<float>((int)n), shape);
        if (cache == null || cache.Length < n) cache = GC.AllocateUninitializedArray<float>((int)n);
        return new Tensor(cache, shape);
    }

    /// <summary>As <see cref="Uninitialized"/>, then zero-filled.</summary>
    public static Tensor Zeroed(bool reuse, ref float[]? cache, params int[] shape)
    {
        var t = Uninitialized(reuse, ref cache, shape);
        t.Span.Clear();
        return t;
    }

    public static string Shape(int[] shape) => "[" + string.Join(",", shape) + "]";
}

/// <summary>Splits loops over the cores with little overhead for small work.</summary>
internal static class Parallelism
{
    /// <summary>Multiply-adds (or comparable element operations) below which a loop stays on one thread.</summary>
    public const long MinWorkPerThread = 1L << 16;

    public static int MaxWorkers => Environment.ProcessorCount;

    /// <summary>Workers a loop of <paramref name="count"/> items costing <paramref name="workPerItem"/> each should use.</summary>
    public static int WorkersFor(int count, long workPerItem)
    {
        long total = count * Math.Max(1, workPerItem);
        long byWork = Math.Max(1, total / MinWorkPerThread);
        return (int)Math.Max(1, Math.Min(Math.Min(MaxWorkers, count), byWork));
    }

    /// <summary>
    /// Runs <c>body(start, end, worker)</c> over contiguous chunks of [0, count) on <paramref name="workers"/>
    /// threads (the caller takes part); worker indices are 0..workers−1.
    /// </summary>
    public static void For(int count, int workers, Action<int, int, int> body)
    {
        if (count <= 0) return;
        workers = Math.Max(1, Math.Min(workers, count));
        if (workers == 1) { body(0, count, 0); return; }
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            int s = (int)((long)count * w / workers), e = (int)((long)count * (w + 1) / workers);
            if (e > s) body(s, e, w);
        });
    }
}
