using System.Buffers;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// The pool of connections' receive buffers. Downloads hand whole buffers to the disk writer,
/// which gives them back from its own thread; one pool shared by both threads (rather than the
/// per-core shared pool) keeps that round trip from allocating new buffers, so memory stays at
/// the buffers in use plus a bounded few kept for reuse.
/// </summary>
internal static class ReceiveBuffers
{
    public static ArrayPool<byte> Pool { get; } = ArrayPool<byte>.Create(maxArrayLength: 16 * 1024 * 1024, maxArraysPerBucket: 16);
}
