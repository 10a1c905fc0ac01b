namespace SecureTransmit.Security;

/// <summary>
/// Handshake settings. Every setter validates its value and throws <see cref="ArgumentOutOfRangeException"/>
/// (or <see cref="ArgumentException"/>) on a bad one.
/// </summary>
public sealed class HandshakeOptions
{
    private TimeSpan _maxClockSkew = TimeSpan.FromMinutes(5);
    private TimeSpan _sessionLifetime = TimeSpan.FromHours(1);
    private uint _maxImagePixels = 4096 * 4096;
    private IReadOnlyList<string> _cipherModes = CipherModes.All;
    private TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>Largest accepted |receiver clock - request timestamp|. Default 5 minutes; (0, 1 day].</summary>
    public TimeSpan MaxClockSkew
    {
        get => _maxClockSkew;
        set => _maxClockSkew = value > TimeSpan.Zero && value <= TimeSpan.FromDays(1) ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxClockSkew), value, "must be in (0, 1 day]");
    }

    /// <summary>How long a session the responder creates stays valid. Default 1 hour; [1 s, 7 days].</summary>
    public TimeSpan SessionLifetime
    {
        get => _sessionLifetime;
        set => _sessionLifetime = value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromDays(7) ? value
            : throw new ArgumentOutOfRangeException(nameof(SessionLifetime), value, "must be in [1 s, 7 days]");
    }

    /// <summary>Responder: max_image_pixels announced in the response. Default 4096*4096; at least 1.</summary>
    public uint MaxImagePixels
    {
        get => _maxImagePixels;
        set => _maxImagePixels = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxImagePixels), value, "must be at least 1");
    }

    /// <summary>Responder: cipher modes it accepts. Default both; each must be a name from <see cref="CipherModes"/>.</summary>
    public IReadOnlyList<string> SupportedCipherModes
    {
        get => _cipherModes;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Count == 0) throw new ArgumentException("at least one cipher mode is needed", nameof(SupportedCipherModes));
            foreach (var m in value)
                if (!CipherModes.TryGet(m, out _))
                    throw new ArgumentException($"unknown cipher mode '{m}' (known: {string.Join(", ", CipherModes.All)})", nameof(SupportedCipherModes));
            _cipherModes = value.ToArray();
        }
    }

    /// <summary>Clock for timestamps and expiry. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(TimeProvider));
    }
}
