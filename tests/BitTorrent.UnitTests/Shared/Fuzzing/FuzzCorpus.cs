using CsCheck;

namespace BitTorrent.UnitTests.Shared.Fuzzing;

/// <summary>
/// The seeds kept in tests/fuzz-corpus/{parser}/ (real torrents from mktorrent and transmission-create,
/// real handshakes and announces, edge cases, and every input that once broke a parser), and inputs
/// generated from them: random bytes, and the seeds mutated (bits flipped, bytes set to values that
/// matter to the format, cut, grown, spliced with another seed).
/// </summary>
internal static class FuzzCorpus
{
    /// <summary>The fixed seed of every fuzz run: the same cases each time (CsCheck_Seed overrides it to explore).</summary>
    public const string Seed = "0N0XIzNsQ0O2";

    private static readonly byte[] Interesting = [0, 1, 0x7F, 0x80, 0xFF, (byte)'0', (byte)'9', (byte)'-', (byte)':', (byte)'e', (byte)'i', (byte)'l', (byte)'d', (byte)'%', (byte)'&', (byte)'='];

    public static IReadOnlyList<(string Name, byte[] Bytes)> Load(string parser)
    {
        var folder = Path.Combine(Root(), parser);
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(files);
        return [.. files.Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)))];
    }

    /// <summary>Random bytes one time in five, a mutated seed otherwise.</summary>
    public static Gen<byte[]> Inputs(IReadOnlyList<(string Name, byte[] Bytes)> corpus) =>
        Gen.Frequency(
            (1, Gen.Byte.Array[0, 300]),
            (4, Gen.Int[0, corpus.Count - 1].SelectMany(seed =>
                Gen.Int[1, 4].SelectMany(count =>
                    Gen.Select(Gen.Int[0, 6], Gen.Int[0, int.MaxValue], Gen.Byte.Array[1, 24], Gen.Int[0, corpus.Count - 1]).Array[count]
                        .Select(steps =>
                        {
                            var bytes = corpus[seed].Bytes;
                            foreach (var (op, at, extra, other) in steps) bytes = Mutate(bytes, op, at, extra, corpus[other].Bytes);
                            return bytes;
                        })))));

    private static byte[] Mutate(byte[] input, int op, int at, byte[] extra, byte[] other)
    {
        if (input.Length == 0) return extra;
        var i = at % input.Length;
        var bytes = (byte[])input.Clone();
        switch (op)
        {
            case 0: // flip a bit
                bytes[i] ^= (byte)(1 << (extra[0] & 7));
                return bytes;
            case 1: // a byte that matters to one of the formats
                bytes[i] = Interesting[extra[0] % Interesting.Length];
                return bytes;
            case 2: // cut
                return bytes[..i];
            case 3: // insert
                return [.. bytes[..i], .. extra, .. bytes[i..]];
            case 4: // delete a stretch
                return [.. bytes[..i], .. bytes[Math.Min(bytes.Length, i + extra.Length)..]];
            case 5: // splice with another seed
                return [.. bytes[..i], .. other[(at % Math.Max(1, other.Length))..]];
            default: // repeat a stretch (nesting, long numbers)
                var stretch = bytes[i..Math.Min(bytes.Length, i + extra.Length)];
                return [.. bytes[..i], .. Enumerable.Repeat(stretch, 1 + extra[0] % 8).SelectMany(s => s), .. bytes[i..]];
        }
    }

    private static string Root()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "tests", "fuzz-corpus");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("tests/fuzz-corpus not found above " + AppContext.BaseDirectory);
    }
}
