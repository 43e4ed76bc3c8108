using System.Buffers;
using System.Globalization;

namespace BitTorrent.Shared.Bencode;

/// <summary>Canonical BEP 3 encoder (dictionary keys in raw byte order).</summary>
public static class BencodeWriter
{
    public static byte[] Encode(BValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(IBufferWriter<byte> output, BValue value)
    {
        switch (value)
        {
            case BString s:
                WriteString(output, s.Bytes);
                break;
            case BInteger i:
                WriteByte(output, (byte)'i');
                WriteNumber(output, i.Value);
                WriteByte(output, (byte)'e');
                break;
            case BList list:
                WriteByte(output, (byte)'l');
                foreach (var item in list) Write(output, item);
                WriteByte(output, (byte)'e');
                break;
            case BDictionary dictionary:
                WriteByte(output, (byte)'d');
                foreach (var (key, item) in dictionary)
                {
                    WriteString(output, key.Bytes);
                    Write(output, item);
                }
                WriteByte(output, (byte)'e');
                break;
            default:
                throw new ArgumentException($"Unknown bencode value {value.GetType().Name}.", nameof(value));
        }
    }

    private static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        WriteNumber(output, bytes.Length);
        WriteByte(output, (byte)':');
        output.Write(bytes);
    }

    private static void WriteNumber(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    private static void WriteByte(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
