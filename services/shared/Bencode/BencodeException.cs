namespace BitTorrent.Shared.Bencode;

/// <summary>Malformed bencoded input, or a value of the wrong shape.</summary>
public sealed class BencodeException(string message) : FormatException(message);
