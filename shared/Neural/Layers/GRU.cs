using SecureTransmit.Neural.Internal;

namespace SecureTransmit.Neural.Layers;

/// <summary>
/// One-layer gated recurrent unit, numerically the same as PyTorch's
/// <c>nn.GRU(input_size, hidden_size, num_layers=1, batch_first=True, bidirectional=...)</c>
/// with a zero initial state.
/// <para>
/// Per direction and time step (gate blocks stacked r, z, n along the 3H axis, as PyTorch does):
/// <code>
/// r  = σ(W_ir x + b_ir + W_hr h + b_hr)
/// z  = σ(W_iz x + b_iz + W_hz h + b_hz)
/// n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
/// h' = (1 − z) ⊙ n + z ⊙ h
/// </code>
/// </para>
/// <para>
/// Shapes: input [N, T, I] (batch first). With <see cref="ReturnSequences"/> (the default) the output is
/// [N, T, D·H], D = 2 when bidirectional (forward half first, then the reverse half, as PyTorch's
/// <c>output</c>), else 1. Without it the output is the final state of each direction, [N, D·H]
/// (= <c>torch.cat([h_n[0], h_n[1]], 1)</c>, or Keras <c>Bidirectional(GRU, return_sequences=False)</c>).
/// </para>
/// <para>
/// Parameters, named as PyTorch's state_dict: <c>weight_ih_l0</c> [3H, I], <c>weight_hh_l0</c> [3H, H],
/// <c>bias_ih_l0</c> [3H], <c>bias_hh_l0</c> [3H], and for the reverse direction the same names with the
/// suffix <c>_reverse</c>. A unidirectional layer built with <c>reverse: true</c> runs over time backwards
/// and uses the <c>_reverse</c> names (it is the reverse half of a bidirectional GRU on its own).
/// Initialization: every parameter uniform in [−1/√H, 1/√H] (PyTorch's rule), drawn from the given
/// <see cref="Init"/> or <see cref="Init.Default"/> (seeded by <see cref="Init.ManualSeed"/>).
/// </para>
/// <para>
/// Backward is full backpropagation through time: it accumulates into every parameter's
/// <see cref="Parameter.Grad"/> and returns dLoss/dInput. The input projections of all time steps
/// are one [N·T, I]×[I, 3H] product; each step then costs one [N, H]×[H, 3H] product (shared SGEMM).
/// </para>
/// </summary>
public sealed class GRU : Module
{
    private readonly Direction[] _directions;
    private Tensor? _input;
    private float[]? _outCache, _gradCache;

    /// <param name="inputSize">I, features per time step (&gt; 0).</param>
    /// <param name="hiddenSize">H, hidden features per direction (&gt; 0).</param>
    /// <param name="bidirectional">Run a forward and a reverse direction and concatenate them (default false).</param>
    /// <param name="reverse">Unidirectional only: run over time backwards, with <c>_reverse</c> names (default false).</param>
    /// <param name="returnSequences">Output every step [N,T,D·H] (default true) or only the final states [N,D·H].</param>
    /// <param name="init">Generator for the initial values (default <see cref="Init.Default"/>).</param>
    public GRU(int inputSize, int hiddenSize, bool bidirectional = false, bool reverse = false,
               bool returnSequences = true, Init? init = null)
    {
        if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "input size must be positive");
        if (hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "hidden size must be positive");
        if (bidirectional && reverse)
            throw new ArgumentException("reverse applies to a unidirectional GRU; a bidirectional one already holds both directions", nameof(reverse));

        InputSize = inputSize;
        HiddenSize = hiddenSize;
        Bidirectional = bidirectional;
        Reverse = reverse;
        ReturnSequences = returnSequences;

        var rng = init ?? Init.Default;
        float bound = 1f / MathF.Sqrt(hiddenSize);
        _directions = bidirectional
            ? [new Direction(inputSize, hiddenSize, false, rng, bound), new Direction(inputSize, hiddenSize, true, rng, bound)]
            : [new Direction(inputSize, hiddenSize, reverse, rng, bound)];
    }

    public int InputSize { get; }
    public int HiddenSize { get; }
    public bool Bidirectional { get; }
    public bool Reverse { get; }
    public bool ReturnSequences { get; }

    /// <summary>D: 2 when bidirectional, else 1. The output has D·H features.</summary>
    public int NumDirections => _directions.Length;

    public int OutputSize => NumDirections * HiddenSize;

    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters()
    {
        foreach (var d in _directions)
        {
            yield return ("weight_ih_l0" + d.Suffix, d.WeightIh);
            yield return ("weight_hh_l0" + d.Suffix, d.WeightHh);
            yield return ("bias_ih_l0" + d.Suffix, d.BiasIh);
            yield return ("bias_hh_l0" + d.Suffix, d.BiasHh);
        }
    }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3 || input[2] != InputSize)
            throw new ArgumentException($"GRU expects input [N, T, {InputSize}] (batch first), got {input.ShapeString}", nameof(input));
        int n = input[0], t = input[1], h = HiddenSize, d = NumDirections;
        if (t == 0 && !ReturnSequences)
            throw new ArgumentException("GRU without return sequences needs at least one time step", nameof(input));

        _input = input;
        var output = ReturnSequences
            ? Buffers.Uninitialized(BufferReuse, ref _outCache, n, t, d * h)
            : Buffers.Uninitialized(BufferReuse, ref _outCache, n, d * h);
        var o = output.Span;
        for (int k = 0; k < d; k++)
        {
            var dir = _directions[k];
            dir.Forward(input.Span, n, t);
            if (ReturnSequences)
            {
                for (int b = 0; b < n; b++)
                    for (int time = 0; time < t; time++)
                        dir.StateAt(time, b).CopyTo(o.Slice(((b * t) + time) * d * h + k * h, h));
            }
            else
            {
                for (int b = 0; b < n; b++)
                    dir.FinalState(b).CopyTo(o.Slice(b * d * h + k * h, h));
            }
        }
        return output;
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var input = _input ?? throw new InvalidOperationException("GRU.Backward called before Forward");
        int n = input[0], t = input[1], dh = NumDirections * HiddenSize;
        bool shapeOk = ReturnSequences
            ? gradOutput.Rank == 3 && gradOutput[0] == n && gradOutput[1] == t && gradOutput[2] == dh
            : gradOutput.Rank == 2 && gradOutput[0] == n && gradOutput[1] == dh;
        if (!shapeOk)
            throw new ArgumentException($"GRU gradient must have the output's shape, got {gradOutput.ShapeString} for input {input.ShapeString}", nameof(gradOutput));

        var gradInput = Buffers.Zeroed(BufferReuse, ref _gradCache, input.Shape);
        for (int k = 0; k < NumDirections; k++)
            _directions[k].Backward(input.Span, gradOutput.Span, k * HiddenSize, dh, ReturnSequences, gradInput.Span);
        return gradInput;
    }

    public override string ToString() =>
        $"GRU({InputSize}, {HiddenSize}, batch_first=True" + (Bidirectional ? ", bidirectional=True" : "")
        + (Reverse ? ", reverse=True" : "") + (ReturnSequences ? "" : ", return_sequences=False") + ")";

    /// <summary>One direction's parameters, forward caches and BPTT.</summary>
    private sealed class Direction
    {
        private readonly int _i, _h;
        private readonly bool _reverse;
        private int _n, _t;
        // Caches of the last Forward, laid out by processing step k (k = 0 is the first step run):
        private float[] _gi = [];   // [N·T, 3H] input projections + b_ih, row b·T + time
        private float[] _hs = [];   // [T+1, N, H] states, step 0 = h0 = 0
        private float[] _r = [], _z = [], _nGate = [], _ghn = []; // [T, N, H] each; ghn = W_hn h + b_hn
        // Scratch, kept between calls: gh [N, 3H]; dGi [N·T, 3H]; dGhAll [T, N, 3H]; dh [N, H].
        private float[] _gh = [], _dGi = [], _dGhAll = [], _dh = [];

        public Direction(int inputSize, int hiddenSize, bool reverse, Init rng, float bound)
        {
            _i = inputSize;
            _h = hiddenSize;
            _reverse = reverse;
            Suffix = reverse ? "_reverse" : "";
            WeightIh = Uniform(rng, bound, 3 * hiddenSize, inputSize);
            WeightHh = Uniform(rng, bound, 3 * hiddenSize, hiddenSize);
            BiasIh = Uniform(rng, bound, 3 * hiddenSize);
            BiasHh = Uniform(rng, bound, 3 * hiddenSize);
        }

        public string Suffix { get; }
        public Parameter WeightIh { get; }
        public Parameter WeightHh { get; }
        public Parameter BiasIh { get; }
        public Parameter BiasHh { get; }

        private static Parameter Uniform(Init rng, float bound, params int[] shape)
        {
            var t = new Tensor(shape);
            rng.Uniform(t.Span, -bound, bound);
            return new Parameter(t);
        }

        private int TimeOf(int step) => _reverse ? _t - 1 - step : step;

        /// <summary>Hidden state produced at time index <paramref name="time"/> for batch row b.</summary>
        public ReadOnlySpan<float> StateAt(int time, int b)
        {
            int step = _reverse ? _t - 1 - time : time;
            return _hs.AsSpan(((step + 1) * _n + b) * _h, _h);
        }

        public ReadOnlySpan<float> FinalState(int b) => _hs.AsSpan((_t * _n + b) * _h, _h);

        private static float[] Ensure(float[] a, int length) => a.Length >= length ? a : new float[length];

        public void Forward(ReadOnlySpan<float> x, int n, int t)
        {
            int h = _h, g = 3 * h, nh = n * h;
            _n = n; _t = t;
            _gi = Ensure(_gi, n * t * g);
            _hs = Ensure(_hs, (t + 1) * nh);
            _r = Ensure(_r, t * nh); _z = Ensure(_z, t * nh); _nGate = Ensure(_nGate, t * nh); _ghn = Ensure(_ghn, t * nh);

            GruKernels.MatMulTransB(x, n * t, _i, WeightIh.Value.Span, g, _gi, BiasIh.Value.Span);
            _hs.AsSpan(0, nh).Clear();

            var gh = _gh = Ensure(_gh, n * g);
            var whh = WeightHh.Value.Span;
            var bhh = BiasHh.Value.Span;
            for (int step = 0; step < t; step++)
            {
                int time = TimeOf(step);
                var hPrev = _hs.AsSpan(step * nh, nh);
                var hNext = _hs.AsSpan((step + 1) * nh, nh);
                GruKernels.MatMulTransB(hPrev, n, h, whh, g, gh, bhh);
                int c = step * nh;
                for (int b = 0; b < n; b++)
                {
                    var giRow = _gi.AsSpan((b * t + time) * g, g);
                    var ghRow = gh.AsSpan(b * g, g);
                    for (int j = 0; j < h; j++)
                    {
                        float r = Sigmoid(giRow[j] + ghRow[j]);
                        float z = Sigmoid(giRow[h + j] + ghRow[h + j]);
                        float hn = ghRow[2 * h + j];
                        float nn = MathF.Tanh(giRow[2 * h + j] + r * hn);
                        int idx = b * h + j;
                        hNext[idx] = (1f - z) * nn + z * hPrev[idx];
                        _r[c + idx] = r; _z[c + idx] = z; _nGate[c + idx] = nn; _ghn[c + idx] = hn;
                    }
                }
            }
        }

        /// <summary>
        /// BPTT. <paramref name="gradOut"/> is the whole layer's output gradient; this direction reads the
        /// features [offset, offset+H) of each row of width <paramref name="width"/>. Adds into gradInput.
        /// </summary>
        public void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gradOut, int offset, int width,
                             bool sequences, Span<float> gradInput)
        {
            int n = _n, t = _t, h = _h, g = 3 * h, nh = n * h;
            var dGi = _dGi = Ensure(_dGi, n * t * g);          // every row is written below
            var dGhAll = _dGhAll = Ensure(_dGhAll, t * n * g); // [T, N, 3H] by processing step, rows match _hs
            var dh = _dh = Ensure(_dh, nh);
            Array.Clear(dh, 0, nh);
            var whh = WeightHh.Value.Span;
            var dWhh = WeightHh.Grad.Span;
            var dBhh = BiasHh.Grad.Span;

            if (!sequences)
                for (int b = 0; b < n; b++)
                    gradOut.Slice(b * width + offset, h).CopyTo(dh.AsSpan(b * h, h));

            for (int step = t - 1; step >= 0; step--)
            {
                int time = TimeOf(step);
                if (sequences)
                    for (int b = 0; b < n; b++)
                        GruKernels.Add(gradOut.Slice((b * t + time) * width + offset, h), dh.AsSpan(b * h, h));

                var hPrev = _hs.AsSpan(step * nh, nh);
                var dGh = dGhAll.AsSpan(step * n * g, n * g);
                int c = step * nh;
                for (int b = 0; b < n; b++)
                {
                    var dGiRow = dGi.AsSpan((b * t + time) * g, g);
                    var dGhRow = dGh.Slice(b * g, g);
                    for (int j = 0; j < h; j++)
                    {
                        int idx = b * h + j;
                        float r = _r[c + idx], z = _z[c + idx], nn = _nGate[c + idx], hn = _ghn[c + idx];
                        float d = dh[idx];
                        // h' = (1-z) n + z h
                        float dn = d * (1f - z);
                        float dz = d * (hPrev[idx] - nn);
                        // n = tanh(a_n), a_n = gi_n + r * hn
                        float dan = dn * (1f - nn * nn);
                        float dr = dan * hn;
                        float dar = dr * r * (1f - r);
                        float daz = dz * z * (1f - z);
                        dGiRow[j] = dar; dGiRow[h + j] = daz; dGiRow[2 * h + j] = dan;
                        dGhRow[j] = dar; dGhRow[h + j] = daz; dGhRow[2 * h + j] = dan * r;
                        dh[idx] = d * z; // direct path to h_{t-1}
                    }
                }
                // gh = h_prev · W_hhᵀ + b_hh: only dL/dh_prev is needed inside the loop.
                GruKernels.MatMulAccumulate(dGh, n, g, whh, h, dh);
            }

            // Recurrent weights, all steps at once: step k's h_prev rows are _hs rows [k·N, (k+1)·N).
            GruKernels.AccumulateTransA(dGhAll, t * n, g, _hs.AsSpan(0, t * nh), h, dWhh);
            GruKernels.AccumulateColumnSums(dGhAll, t * n, g, dBhh);

            // Input projections: gi = x · W_ihᵀ + b_ih, for all steps at once.
            GruKernels.AccumulateTransA(dGi, n * t, g, x, _i, WeightIh.Grad.Span);
            GruKernels.AccumulateColumnSums(dGi, n * t, g, BiasIh.Grad.Span);
            GruKernels.MatMulAccumulate(dGi, n * t, g, WeightIh.Value.Span, _i, gradInput);
        }

        private static float Sigmoid(float v) => 1f / (1f + MathF.Exp(-v));
    }
}

/// <summary>The GRU's products on the shared SGEMM (row-major float32).</summary>
internal static class GruKernels
{
    /// <summary>c[m, n] = a[m, k] · b[n, k]ᵀ + bias[n].</summary>
    public static void MatMulTransB(ReadOnlySpan<float> a, int m, int k, ReadOnlySpan<float> b, int n,
                                    Span<float> c, ReadOnlySpan<float> bias)
    {
        for (int i = 0; i < m; i++) bias.CopyTo(c.Slice(i * n, n));
        Gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 1f, c, n);
    }

    /// <summary>c[p, q] += a[m, p]ᵀ · b[m, q].</summary>
    public static void AccumulateTransA(ReadOnlySpan<float> a, int m, int p, ReadOnlySpan<float> b, int q, Span<float> c)
        => Gemm.Sgemm(true, false, p, q, m, 1f, a, p, b, q, 1f, c, q);

    /// <summary>c[m, q] += a[m, p] · b[p, q].</summary>
    public static void MatMulAccumulate(ReadOnlySpan<float> a, int m, int p, ReadOnlySpan<float> b, int q, Span<float> c)
        => Gemm.Sgemm(false, false, m, q, p, 1f, a, p, b, q, 1f, c, q);

    /// <summary>c[p] += Σ_i a[i, p].</summary>
    public static void AccumulateColumnSums(ReadOnlySpan<float> a, int m, int p, Span<float> c)
    {
        for (int i = 0; i < m; i++) Elementwise.Add(a.Slice(i * p, p), c);
    }

    /// <summary>y += x.</summary>
    public static void Add(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Add(x, y);
}
