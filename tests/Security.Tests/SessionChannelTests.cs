namespace SecureTransmit.Security.Tests;

/// <summary>The hello, sealed metadata and sealed receipts of protocol version 2 (SECURITY.md, "Upload").</summary>
public class SessionChannelTests
{
    private static (Session Sender, Session Receiver, Session Other) Sessions()
    {
        using var s = Identity.Generate();
        using var r = Identity.Generate();
        var allow = new AllowList([new AllowListEntry(s.Fingerprint, null)]);
        var responder = new HandshakeResponder(r, allow);
        using var init = new HandshakeInitiator(s, r.Fingerprint, "m", new byte[32], CipherModes.Aes256Gcm);
        var accepted = responder.Accept(init.Request);
        using var init2 = new HandshakeInitiator(s, r.Fingerprint, "m", new byte[32], CipherModes.Aes256Gcm);
        var other = responder.Accept(init2.Request).Session;
        return (init.Complete(accepted.Response), accepted.Session, other);
    }

    [Fact]
    public void The_hello_proves_the_session_key_for_one_counter_and_only_that_session()
    {
        var (sender, receiver, other) = Sessions();
        var mac = SessionChannel.HelloMac(sender, 7);
        Assert.True(SessionChannel.VerifyHello(receiver, 7, mac));
        Assert.False(SessionChannel.VerifyHello(receiver, 8, mac));
        Assert.False(SessionChannel.VerifyHello(other, 7, mac));
        Assert.False(SessionChannel.VerifyHello(receiver, 7, mac[..31]));
        for (int bit = 0; bit < 256; bit++)
        {
            var m = (byte[])mac.Clone();
            m[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(SessionChannel.VerifyHello(receiver, 7, m));
        }
        // The receiver accepts each counter once (parallel calls may arrive out of order): a replayed hello is refused.
        Assert.True(receiver.TryAdvanceCallCounter(7));
        Assert.False(receiver.TryAdvanceCallCounter(7));
        Assert.True(receiver.TryAdvanceCallCounter(3));
        Assert.False(receiver.TryAdvanceCallCounter(3));
        Assert.True(receiver.TryAdvanceCallCounter(5000));
        Assert.False(receiver.TryAdvanceCallCounter(8)); // too far behind to be remembered: refused too
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(65_537)]
    public void Metadata_and_receipts_open_only_unchanged_for_their_sequence_header_and_session(int size)
    {
        var (sender, receiver, other) = Sessions();
        var plain = new byte[size];
        new Random(size).NextBytes(plain);
        byte[] header = [1, 2, 3, 4, 5];
        var meta = SessionChannel.SealMetadata(sender, 9, header, plain);
        Assert.Equal(size + SessionChannel.TagLength, meta.Length);
        if (size > 16) Assert.False(meta.AsSpan(0, size).SequenceEqual(plain)); // encrypted, not only authenticated
        Assert.Equal(plain, SessionChannel.OpenMetadata(receiver, 9, header, meta));
        Assert.Throws<IntegrityException>(() => SessionChannel.OpenMetadata(receiver, 10, header, meta));
        Assert.Throws<IntegrityException>(() => SessionChannel.OpenMetadata(receiver, 9, [1, 2, 3, 4, 6], meta));
        Assert.Throws<IntegrityException>(() => SessionChannel.OpenMetadata(other, 9, header, meta));
        Assert.Throws<IntegrityException>(() => SessionChannel.OpenMetadata(receiver, 9, header, meta[..^1]));
        var flipped = (byte[])meta.Clone();
        flipped[flipped.Length / 2] ^= 1;
        Assert.Throws<IntegrityException>(() => SessionChannel.OpenMetadata(receiver, 9, header, flipped));

        var receipt = SessionChannel.SealReceipt(receiver, 9, plain);
        Assert.Equal(plain, SessionChannel.OpenReceipt(sender, 9, receipt));
        Assert.Throws<IntegrityException>(() => SessionChannel.OpenReceipt(sender, 8, receipt));
        Assert.Throws<IntegrityException>(() => SessionChannel.OpenReceipt(other, 9, receipt));
        // A receipt is not metadata (separate subkeys), even for the same sequence.
        Assert.Throws<IntegrityException>(() => SessionChannel.OpenMetadata(receiver, 9, [], receipt));
    }

    [Theory]
    [InlineData("evil\nabcdef")]
    [InlineData("tab\there")]
    [InlineData("hash # comment")]
    [InlineData("line\u2028sep")]
    public void Allow_list_labels_that_could_add_a_line_are_refused(string name)
    {
        using var id = Identity.Generate();
        Assert.Throws<ArgumentException>(() => AllowList.FormatLine(id.Fingerprint, name));
        Assert.Throws<ArgumentException>(() => AllowList.FormatLine(id.Fingerprint, new string('x', 65)));
        Assert.EndsWith(" laptop", AllowList.FormatLine(id.Fingerprint, "laptop"));
    }

    [Fact]
    public void A_group_or_world_writable_allow_list_is_refused()
    {
        if (OperatingSystem.IsWindows()) return;
        using var id = Identity.Generate();
        var path = Path.Combine(Path.GetTempPath(), "st-allow-" + Guid.NewGuid().ToString("N"));
        try
        {
            File.WriteAllText(path, AllowList.FormatLine(id.Fingerprint) + "\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.Equal(1, AllowList.Load(path).Count);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);
            var e = Assert.Throws<KeyFileException>(() => AllowList.Load(path));
            Assert.Contains("chmod 600", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
