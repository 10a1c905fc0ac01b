using System.Buffers.Binary;
using System.Text;

namespace SecureTransmit.Neural.Tests;

public class SafeTensorsTests
{
    private static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "st-neural-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    [Fact]
    public void Round_trips_f32_f64_i64_scalars_and_metadata()
    {
        var dir = TempDir();
        try
        {
            var a = new Tensor(new float[] { 1.5f, -2, 3.25f, float.MaxValue, float.Epsilon, -0f }, 2, 3);
            var b = new Tensor(new float[] { 0.1f, 0.2f }, 2);
            var n = new Tensor(new float[] { 42 }, Array.Empty<int>());
            var path = Path.Combine(dir, "x.safetensors");
            SafeTensors.Save(path, [new SafeTensorEntry("a", a), new SafeTensorEntry("b", b, SafeTensorDType.F64), new SafeTensorEntry("n", n, SafeTensorDType.I64)],
                             new Dictionary<string, string> { ["k"] = "v é" });
            var f = SafeTensors.Load(path);
            Assert.Equal(a.Span.ToArray(), f.Tensors["a"].Span.ToArray());
            Assert.Equal(new[] { 2, 3 }, f.Tensors["a"].Shape);
            Assert.Equal(b.Span.ToArray(), f.Tensors["b"].Span.ToArray());
            Assert.Equal(42f, f.Tensors["n"].Span[0]);
            Assert.Empty(f.Tensors["n"].Shape);
            Assert.Equal(SafeTensorDType.F64, f.DTypes["b"]);
            Assert.Equal(SafeTensorDType.I64, f.DTypes["n"]);
            Assert.Equal("v é", f.Metadata["k"]);
            Assert.Single(Directory.GetFiles(dir)); // no temporary file left behind

            // Layout as the spec says: u64 header length, JSON, data at 8+N; header padded to 8 bytes.
            var bytes = File.ReadAllBytes(path);
            ulong hl = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            Assert.Equal(0UL, hl % 8);
            Assert.Equal(8 + (long)hl + 6 * 4 + 2 * 8 + 8, bytes.Length);
            Assert.Equal(1.5f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)hl)));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Reads_a_file_written_by_python()
    {
        // The fixtures are written by make_fixtures.py's own serializer (json + struct).
        var f = SafeTensors.Load(TorchFixture.Locate("conv_k3.safetensors"));
        Assert.Equal(new[] { 2, 3, 6, 7 }, f.Tensors["input"].Shape);
        Assert.Equal("conv_k3", f.Metadata["case"]);
    }

    [Fact]
    public void Saving_over_an_existing_file_replaces_it_whole()
    {
        var dir = TempDir();
        try
        {
            var path = Path.Combine(dir, "w.safetensors");
            SafeTensors.Save(path, [("x", new Tensor(new float[1000], 1000))]);
            SafeTensors.Save(path, [("y", new Tensor(new float[] { 7 }, 1))]);
            var f = SafeTensors.Load(path);
            Assert.Equal(["y"], f.Tensors.Keys);
            Assert.Single(Directory.GetFiles(dir));
        }
        finally { Directory.Delete(dir, true); }
    }

    private static byte[] Build(string json, int dataBytes)
    {
        var h = Encoding.UTF8.GetBytes(json);
        var b = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)h.Length);
        h.CopyTo(b, 8);
        return b;
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "outside")]
    [InlineData("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "offsets span 8")]
    [InlineData("""{"a":{"dtype":"Q8","shape":[2],"data_offsets":[0,8]}}""", 8, "unsupported dtype")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4, "overlaps")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "gap")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8, "use 4")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4, "invalid dimension")]
    [InlineData("""[1,2]""", 0, "not a JSON object")]
    [InlineData("""{"a":""", 0, "not valid JSON")]
    [InlineData("""{"__metadata__":{"k":1}}""", 0, "not a string")]
    public void Malformed_files_throw_WeightFileException_naming_the_problem(string json, int dataBytes, string expected)
    {
        var ex = Assert.Throws<WeightFileException>(() => SafeTensors.Deserialize(Build(json, dataBytes), "bad.safetensors"));
        Assert.Contains("bad.safetensors", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Header_length_beyond_the_file_is_rejected()
    {
        var b = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(b, 1000);
        Assert.Contains("does not fit", Assert.Throws<WeightFileException>(() => SafeTensors.Deserialize(b, "t")).Message);
        Assert.Contains("too short", Assert.Throws<WeightFileException>(() => SafeTensors.Deserialize(new byte[3], "t")).Message);
        var missing = Path.Combine(Path.GetTempPath(), "no-such-" + Guid.NewGuid().ToString("N"));
        Assert.Contains("cannot read", Assert.Throws<WeightFileException>(() => SafeTensors.Load(missing)).Message);
    }

    [Fact]
    public void I64_refuses_non_integers_and_names_must_be_unique()
    {
        Assert.Throws<ArgumentException>(() => SafeTensors.Serialize([new SafeTensorEntry("n", new Tensor(new float[] { 1.5f }, 1), SafeTensorDType.I64)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Serialize([new SafeTensorEntry("a", new Tensor(1)), new SafeTensorEntry("a", new Tensor(1))]));
    }

    [Fact]
    public void Reads_f16_bf16_i32()
    {
        var json = """{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[2,4]},"i":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}""";
        var bytes = Build(json, 8);
        int d = bytes.Length - 8;
        BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(d), (Half)1.5f);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(d + 2), 0x4040); // bf16 3.0
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(d + 4), -7);
        var f = SafeTensors.Deserialize(bytes);
        Assert.Equal(1.5f, f.Tensors["h"].Span[0]);
        Assert.Equal(3f, f.Tensors["b"].Span[0]);
        Assert.Equal(-7f, f.Tensors["i"].Span[0]);
    }
}
