namespace SecureTransmit.Lab.Experiments;

/// <summary>How <c>lab bandwidth</c> times transfers.</summary>
internal enum LinkMode
{
    /// <summary>Netns when it works here (root, ip, tc, netem), else Computed.</summary>
    Auto,

    /// <summary>Real transfers between two network namespaces over a veth pair shaped by tc netem.</summary>
    Netns,

    /// <summary>Real transfers on loopback (bytes counted by a relay), times computed by <see cref="TransferModel"/>.</summary>
    Computed,
}

/// <summary>Options of <c>lab bandwidth</c>; <see cref="Validate"/> checks them.</summary>
internal sealed class BandwidthOptions
{
    /// <summary>Folder of source images. Required.</summary>
    public string ImagesDir { get; init; } = "";

    /// <summary>Link profiles. Default 10mbit:40ms:1%, 100mbit:5ms:0%, 1mbit:100ms:0%.</summary>
    public IReadOnlyList<LinkProfile> Profiles { get; init; } = LinkProfile.ParseList(DefaultProfiles);

    public const string DefaultProfiles = "10mbit:40ms:1%,100mbit:5ms:0%,1mbit:100ms:0%";

    /// <summary>Model names; null = every model with both weight files in <see cref="ModelsDir"/>.</summary>
    public IReadOnlyList<string>? Models { get; init; }

    /// <summary>Folder of NAME.encoder/decoder.safetensors.</summary>
    public string ModelsDir { get; init; } = "models";

    /// <summary>Use only the first N images (null = all).</summary>
    public int? Limit { get; init; }

    /// <summary>Folder for the markdown, JSON and SVG outputs.</summary>
    public string OutDir { get; init; } = "docs/bandwidth";

    /// <summary>Extra copy of the JSON results (null = only OutDir/bandwidth.json).</summary>
    public string? JsonPath { get; init; }

    public LinkMode Mode { get; init; } = LinkMode.Auto;

    /// <summary>Cipher our packets are sealed with. Default logistic (the larger key block).</summary>
    public string Cipher { get; init; } = "logistic";

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ImagesDir)) throw new ExperimentException("--images: give a folder of images");
        if (!Directory.Exists(ImagesDir)) throw new ExperimentException($"--images {ImagesDir}: no such folder");
        if (!Directory.Exists(ModelsDir)) throw new ExperimentException($"--models-dir {ModelsDir}: no such folder");
        if (Profiles.Count == 0) throw new ExperimentException("--profiles: give at least one profile");
        if (Limit is < 1) throw new ExperimentException($"--limit must be at least 1 (got {Limit})");
        if (Cipher is not ("logistic" or "aes-256-gcm")) throw new ExperimentException($"--cipher '{Cipher}': use logistic or aes-256-gcm");
    }
}
