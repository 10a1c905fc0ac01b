using SecureTransmit.Neural.Layers;

namespace SecureTransmit.Neural.Tests;

/// <summary>
/// Finite-difference checks, independent of PyTorch: for L = Σ wᵢ·yᵢ with fixed random w, every input and
/// parameter derivative from Backward must match (L(θ+h) − L(θ−h)) / 2h, with the forward in float32 and L
/// summed in double. Small layers keep float32 rounding far below the tolerance.
/// </summary>
public class GradientCheckTests
{
    public static TheoryData<string> Cases() => new(Builders.Keys);

    private static readonly Dictionary<string, (Func<Module> Make, int[] Input)> Builders = new()
    {
        ["conv3"] = (() => new Conv2d(2, 3, 3, init: new Init(1)), [2, 2, 5, 4]),
        ["conv2_even"] = (() => new Conv2d(2, 2, 2, init: new Init(2)), [1, 2, 4, 5]),
        ["conv1_nobias"] = (() => new Conv2d(3, 2, 1, bias: false, init: new Init(3)), [2, 3, 2, 3]),
        ["linear"] = (() => new Linear(5, 4, init: new Init(4)), [3, 5]),
        ["pointwise"] = (() => new PointwiseLinear(3, 4, init: new Init(5)), [2, 3, 2, 2]),
        ["maxpool"] = (() => new MaxPool2d(2), [2, 2, 4, 5]),
        ["upsample"] = (() => new Upsample(2), [1, 2, 2, 3]),
        ["sigmoid"] = (() => new Sigmoid(), [2, 7]),
        ["tanh"] = (() => new Tanh(), [2, 7]),
        ["relu"] = (() => new ReLU(), [2, 7]),
        ["batchnorm2d"] = (() => new BatchNorm2d(3), [3, 3, 2, 2]),
        ["batchnorm1d"] = (() => new BatchNorm1d(4), [5, 4]),
        ["sequential"] = (() => new Sequential(new Conv2d(1, 2, 3, init: new Init(6)), new ReLU(), new MaxPool2d(2),
                                               new Flatten(), new Linear(8, 3, init: new Init(7)), new Sigmoid()), [2, 1, 4, 4]),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_matches_central_differences(string name)
    {
        var (make, shape) = Builders[name];
        var module = make();
        var rng = new Random(name.Length * 31 + 7);
        var x = new Tensor(shape);
        for (int i = 0; i < x.Length; i++) x.Span[i] = (float)(rng.NextDouble() * 2 - 1);
        if (name is "relu" or "maxpool")
        {
            // Keep away from the kinks: |x| ≥ 0.05 and distinct values (no max-pool near-ties).
            var perm = Enumerable.Range(0, x.Length).OrderBy(_ => rng.Next()).ToArray();
            for (int i = 0; i < x.Length; i++) x.Span[i] = (perm[i] + 1) * (1.6f / x.Length) * (i % 2 == 0 ? 1 : -1);
        }
        foreach (var (_, p) in module.NamedParameters())
            if (p.Value.Rank == 1 && module is BatchNormBase)
                for (int i = 0; i < p.Value.Length; i++) p.Value.Span[i] += (float)(rng.NextDouble() - 0.5);

        module.Train();
        var y = module.Forward(x);
        var w = new Tensor(y.Shape);
        for (int i = 0; i < w.Length; i++) w.Span[i] = (float)(rng.NextDouble() * 2 - 1);
        var wCopy = w.Clone();
        module.ZeroGrad();
        var gx = module.Backward(w).Clone();
        var paramGrads = module.NamedParameters().Select(p => (p.Name, p.Parameter, Grad: p.Parameter.Grad.Clone())).ToList();

        double Loss()
        {
            var yy = module.Forward(x);
            double s = 0;
            for (int i = 0; i < yy.Length; i++) s += (double)yy.Span[i] * wCopy.Span[i];
            return s;
        }

        const float h = 1e-3f;
        void CheckAll(Span<float> values, Tensor analytic, string what)
        {
            for (int i = 0; i < values.Length; i++)
            {
                float orig = values[i];
                values[i] = orig + h; double lp = Loss();
                values[i] = orig - h; double lm = Loss();
                values[i] = orig;
                double numeric = (lp - lm) / (2 * h);
                double a = analytic.Span[i];
                double tol = 2e-3 + 2e-3 * Math.Abs(numeric);
                if (Math.Abs(a - numeric) > tol)
                    Assert.Fail($"{name} d/d{what}[{i}]: backward {a}, finite difference {numeric}");
            }
        }

        CheckAll(x.Span, gx, "input");
        foreach (var (pname, p, grad) in paramGrads) CheckAll(p.Value.Span, grad, pname);
    }
}
