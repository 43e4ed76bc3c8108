namespace BitTorrent.Peer.Transfer;

/// <summary>
/// One bit per piece, high bit of the first byte is piece 0 (the BEP 3 bitfield layout),
/// so the same bytes go on the wire and into the state file.
/// </summary>
public sealed class Bitfield
{
    private readonly byte[] _bytes;

    public Bitfield(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Count = count;
        _bytes = new byte[ByteLength(count)];
    }

    public int Count { get; }

    /// <summary>How many bits are set.</summary>
    public int SetCount { get; private set; }

    public bool IsComplete => SetCount == Count;
    public bool IsEmpty => SetCount == 0;

    public ReadOnlySpan<byte> Bytes => _bytes;

    public static int ByteLength(int count) => (count + 7) / 8;

    public bool this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            return (_bytes[index >> 3] & (0x80 >> (index & 7))) != 0;
        }
    }

    /// <summary>Sets a bit; returns false when it was already set.</summary>
    public bool Set(int index)
    {
        if (this[index]) return false;
        _bytes[index >> 3] |= (byte)(0x80 >> (index & 7));
        SetCount++;
        return true;
    }

    public void Clear()
    {
        Array.Clear(_bytes);
        SetCount = 0;
    }

    public void SetAll()
    {
        for (var i = 0; i < Count; i++) Set(i);
    }

    /// <summary>Reads wire/state bytes: exactly the right length, spare bits zero (BEP 3 says drop otherwise).</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, int count, out Bitfield bitfield)
    {
        bitfield = new Bitfield(count);
        if (bytes.Length != ByteLength(count)) return false;
        var spare = bytes.Length * 8 - count;
        if (spare > 0 && (bytes[^1] & ((1 << spare) - 1)) != 0) return false;
        bytes.CopyTo(bitfield._bytes);
        var set = 0;
        foreach (var b in bytes) set += System.Numerics.BitOperations.PopCount(b);
        bitfield.SetCount = set;
        return true;
    }
}
