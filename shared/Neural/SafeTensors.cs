using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace SecureTransmit.Neural;

/// <summary>Element types of a safetensors file this library reads (all) and writes (F32, F64, I64).</summary>
public enum SafeTensorDType { F32, F64, I64, I32, F16, BF16 }

/// <summary>One tensor to write, with the element type it is stored as.</summary>
public readonly record struct SafeTensorEntry(string Name, Tensor Value, SafeTensorDType DType = SafeTensorDType.F32);

/// <summary>A loaded safetensors file: tensors (as float32), their stored types, and the metadata.</summary>
public sealed class SafeTensorFile
{
    internal SafeTensorFile(Dictionary<string, Tensor> tensors, Dictionary<string, SafeTensorDType> dtypes, Dictionary<string, string> metadata, string source)
    {
        Tensors = tensors;
        DTypes = dtypes;
        Metadata = metadata;
        Source = source;
    }

    /// <summary>Tensors by name, converted to float32.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The element type each tensor had in the file.</summary>
    public IReadOnlyDictionary<string, SafeTensorDType> DTypes { get; }

    /// <summary>The "__metadata__" string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Where it was read from (a path, or a caller-given name).</summary>
    public string Source { get; }
}

/// <summary>
/// The safetensors format (https://github.com/huggingface/safetensors):
/// <code>
/// bytes 0..7   u64 little-endian N = header length
/// bytes 8..8+N UTF-8 JSON: { "NAME": {"dtype":"F32","shape":[d0,...],"data_offsets":[begin,end]}, ...,
///                            "__metadata__": {"key":"value", ...} }   (padded with spaces to 8 bytes)
/// then         the data section: each tensor's elements row-major little-endian at [begin, end)
///              relative to the section start; tensors cover it exactly, without overlap.
/// </code>
/// Reading validates all of that and converts every tensor to float32; any violation throws
/// <see cref="WeightFileException"/> naming the file. Saving writes a temporary file next to the target
/// and renames it over the target, so a crash never leaves a half-written file.
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest accepted JSON header (the reference implementation's limit).</summary>
    public const int MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>Saves float32 tensors.</summary>
    public static void Save(string path, IEnumerable<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Save(path, tensors.Select(t => new SafeTensorEntry(t.Name, t.Value)), metadata);
    }

    /// <summary>Saves tensors with explicit element types, atomically (temporary file + rename).</summary>
    public static void Save(string path, IEnumerable<SafeTensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = Serialize(tensors, metadata);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>The bytes of a safetensors file holding <paramref name="tensors"/>.</summary>
    public static byte[] Serialize(IEnumerable<SafeTensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        long offset = 0;
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) json.WriteString(k, v);
                json.WriteEndObject();
            }
            foreach (var e in list)
            {
                if (string.IsNullOrEmpty(e.Name) || e.Name == MetadataKey) throw new ArgumentException($"invalid tensor name '{e.Name}'");
                if (!names.Add(e.Name)) throw new ArgumentException($"tensor name '{e.Name}' appears twice");
                ArgumentNullException.ThrowIfNull(e.Value);
                if (e.DType is not (SafeTensorDType.F32 or SafeTensorDType.F64 or SafeTensorDType.I64))
                    throw new ArgumentException($"writing {e.DType} is not supported (F32, F64, I64 are)");
                long size = (long)e.Value.Length * ElementSize(e.DType);
                json.WriteStartObject(e.Name);
                json.WriteString("dtype", e.DType.ToString());
                json.WriteStartArray("shape");
                foreach (var d in e.Value.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + size);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += size;
            }
            json.WriteEndObject();
        }
        int headerLen = (int)header.Length;
        int padded = (headerLen + 7) / 8 * 8;
        long total = 8 + padded + offset;
        if (total > Array.MaxLength) throw new ArgumentException("tensors too large for one file");
        var bytes = new byte[total];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        header.GetBuffer().AsSpan(0, headerLen).CopyTo(bytes.AsSpan(8));
        bytes.AsSpan(8 + headerLen, padded - headerLen).Fill((byte)' ');
        int pos = 8 + padded;
        foreach (var e in list)
        {
            var src = e.Value.Span;
            var dst = bytes.AsSpan(pos);
            switch (e.DType)
            {
                case SafeTensorDType.F32:
                    for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(dst[(4 * i)..], src[i]);
                    break;
                case SafeTensorDType.F64:
                    for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(dst[(8 * i)..], src[i]);
                    break;
                case SafeTensorDType.I64:
                    for (int i = 0; i < src.Length; i++)
                    {
                        float v = src[i];
                        if (!float.IsFinite(v) || v != MathF.Round(v)) throw new ArgumentException($"tensor '{e.Name}' holds {v}, which is not an integer for I64");
                        BinaryPrimitives.WriteInt64LittleEndian(dst[(8 * i)..], (long)v);
                    }
                    break;
            }
            pos += src.Length * ElementSize(e.DType);
        }
        return bytes;
    }

    /// <summary>Reads a safetensors file. Throws <see cref="WeightFileException"/> if it is malformed or unreadable.</summary>
    public static SafeTensorFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new WeightFileException($"weight file {path}: cannot read it ({ex.Message})", ex);
        }
        return Deserialize(bytes, path);
    }

    /// <summary>Parses safetensors bytes; <paramref name="source"/> names them in error messages.</summary>
    public static SafeTensorFile Deserialize(ReadOnlySpan<byte> bytes, string source = "<memory>")
    {
        WeightFileException Bad(string why) => new($"weight file {source}: {why}");
        if (bytes.Length < 8) throw Bad($"{bytes.Length} bytes is too short for a safetensors header");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > MaxHeaderBytes) throw Bad($"header length {n} exceeds the {MaxHeaderBytes}-byte limit");
        if (n < 2 || 8 + (long)n > bytes.Length) throw Bad($"header length {n} does not fit the {bytes.Length}-byte file");
        var data = bytes[(8 + (int)n)..];
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var dtypes = new Dictionary<string, SafeTensorDType>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var ranges = new List<(long Begin, long End, string Name)>();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes.Slice(8, (int)n).ToArray(), new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException ex)
        {
            throw new WeightFileException($"weight file {source}: header is not valid JSON ({ex.Message})", ex);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad("header is not a JSON object");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name)) throw Bad($"header names '{prop.Name}' twice");
                if (prop.Name == MetadataKey)
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad("__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Bad($"metadata '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                var (tensor, dtype, begin, end) = ParseEntry(prop, data, Bad);
                tensors[prop.Name] = tensor;
                dtypes[prop.Name] = dtype;
                ranges.Add((begin, end, prop.Name));
            }
        }
        ranges.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long cursor = 0;
        foreach (var (b, e, name) in ranges)
        {
            if (b != cursor) throw Bad(b < cursor ? $"tensor '{name}' overlaps another tensor's data" : $"data section has a gap before tensor '{name}'");
            cursor = e;
        }
        if (cursor != data.Length) throw Bad($"data section holds {data.Length} bytes but the tensors use {cursor}");
        return new SafeTensorFile(tensors, dtypes, metadata, source);
    }

    private static (Tensor, SafeTensorDType, long, long) ParseEntry(JsonProperty prop, ReadOnlySpan<byte> data, Func<string, WeightFileException> bad)
    {
        var v = prop.Value;
        string name = prop.Name;
        if (v.ValueKind != JsonValueKind.Object) throw bad($"entry '{name}' is not an object");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) throw bad($"tensor '{name}' has no dtype");
        if (!Enum.TryParse<SafeTensorDType>(dt.GetString(), ignoreCase: false, out var dtype) || !Enum.IsDefined(dtype) || dt.GetString() != dtype.ToString())
            throw bad($"tensor '{name}' has unsupported dtype '{dt.GetString()}' (supported: F32, F64, I64, I32, F16, BF16)");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array) throw bad($"tensor '{name}' has no shape");
        var shape = new int[sh.GetArrayLength()];
        long count = 1;
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0 || dim > int.MaxValue)
                throw bad($"tensor '{name}' has an invalid dimension in its shape");
            shape[i++] = (int)dim;
            count *= dim;
            if (count > int.MaxValue) throw bad($"tensor '{name}' is too large");
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw bad($"tensor '{name}' has no [begin, end] data_offsets");
        long begin = off[0].TryGetInt64(out var b0) ? b0 : -1, end = off[1].TryGetInt64(out var e0) ? e0 : -1;
        if (begin < 0 || end < begin || end > data.Length)
            throw bad($"tensor '{name}' data_offsets [{off[0]}, {off[1]}] fall outside the {data.Length}-byte data section");
        int size = ElementSize(dtype);
        if (end - begin != count * size)
            throw bad($"tensor '{name}' is {dtype} [{string.Join(",", shape)}] = {count * size} bytes but its offsets span {end - begin}");
        var values = new float[count];
        var src = data.Slice((int)begin, (int)(end - begin));
        for (int k = 0; k < values.Length; k++)
        {
            values[k] = dtype switch
            {
                SafeTensorDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(src[(4 * k)..]),
                SafeTensorDType.F64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * k)..]),
                SafeTensorDType.I64 => BinaryPrimitives.ReadInt64LittleEndian(src[(8 * k)..]),
                SafeTensorDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(src[(4 * k)..]),
                SafeTensorDType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * k)..]),
                SafeTensorDType.BF16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * k)..]) << 16),
                _ => throw bad($"tensor '{name}': unsupported dtype"),
            };
        }
        return (new Tensor(values, shape), dtype, begin, end);
    }

    public static int ElementSize(SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.F32 or SafeTensorDType.I32 => 4,
        SafeTensorDType.F64 or SafeTensorDType.I64 => 8,
        SafeTensorDType.F16 or SafeTensorDType.BF16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };
}
