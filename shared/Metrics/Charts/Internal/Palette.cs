namespace SecureTransmit.Metrics.Charts.Internal;

/// <summary>Ten distinguishable series colours (cycled) and the marker shapes used by line/RD charts.</summary>
internal static class Palette
{
    private static readonly string[] Colors =
    [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ];

    public static string Color(int index) => Colors[index % Colors.Length];
}
