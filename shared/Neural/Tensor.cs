namespace SecureTransmit.Neural;

/// <summary>
/// A dense float32 tensor in row-major (C) order. Image batches are NCHW, as in PyTorch.
/// The data array may be longer than the logical size (pooled buffers); only the first
/// <see cref="Length"/> elements are meaningful.
/// </summary>
public sealed class Tensor
{
    public int[] Shape { get; }
    public float[] Data { get; }
    public int Length { get; }

    public Tensor(params int[] shape) : this(new float[Checked(shape)], shape) { }

    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        Length = Checked(shape);
        if (data.Length < Length)
            throw new ArgumentException($"data holds {data.Length} values, shape [{string.Join(",", shape)}] needs {Length}", nameof(data));
        Data = data;
        Shape = (int[])shape.Clone();
    }

    public int Rank => Shape.Length;
    public int this[int axis] => Shape[axis < 0 ? Shape.Length + axis : axis];
    public Span<float> Span => Data.AsSpan(0, Length);

    public static Tensor Zeros(params int[] shape) => new(shape);

    public static Tensor Like(Tensor t) => new(t.Shape);

    public Tensor Clone() => new((float[])Span.ToArray(), Shape);

    /// <summary>A view with another shape over the same data (element count must match).</summary>
    public Tensor Reshape(params int[] shape)
    {
        int known = 1, infer = -1;
        var s = (int[])shape.Clone();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == -1) { if (infer >= 0) throw new ArgumentException("only one -1 allowed"); infer = i; }
            else known *= s[i];
        }
        if (infer >= 0) s[infer] = Length / known;
        if (Checked(s) != Length)
            throw new ArgumentException($"cannot reshape [{string.Join(",", Shape)}] to [{string.Join(",", shape)}]");
        return new Tensor(Data, s);
    }

    public string ShapeString => "[" + string.Join(",", Shape) + "]";

    public override string ToString() => $"Tensor{ShapeString}";

    private static int Checked(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension in [{string.Join(",", shape)}]");
            n *= d;
            if (n > int.MaxValue) throw new ArgumentException($"tensor [{string.Join(",", shape)}] too large");
        }
        return (int)n;
    }
}
