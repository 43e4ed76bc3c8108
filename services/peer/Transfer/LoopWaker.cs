using System.Net;
using System.Net.Sockets;

namespace BitTorrent.Peer.Transfer;

/// <summary>
/// A connected loopback socket pair: other threads write a byte to wake the select loop at once
/// when they post a command, instead of the loop polling a queue on a short timeout.
/// </summary>
internal sealed class LoopWaker : IDisposable
{
    private static readonly byte[] Signal = [1];
    private readonly Socket _writer;
    private readonly byte[] _drain = new byte[64];
    private int _signalled;

    public LoopWaker()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _writer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _writer.Connect(listener.LocalEndPoint!);
        Reader = listener.Accept();
        Reader.Blocking = false;
        _writer.Blocking = false;
    }

    /// <summary>Readable when someone woke the loop.</summary>
    public Socket Reader { get; }

    public void Wake()
    {
        // One byte per batch of commands is enough; the flag keeps a busy poster from filling the pipe.
        if (Interlocked.Exchange(ref _signalled, 1) != 0) return;
        try
        {
            _writer.Send(Signal, SocketFlags.None, out _);
        }
        catch (ObjectDisposedException)
        {
            // the engine is gone; nothing to wake
        }
    }

    /// <summary>Called by the loop before it runs the queued commands.</summary>
    public void Reset()
    {
        // Drain first, then re-arm: re-arming first would let a wake's byte be drained here
        // while its flag stays set, and every later wake would be swallowed (a lost wakeup).
        // A wake that sees the flag still set has queued its command already; the loop runs it next.
        while (Reader.Receive(_drain, 0, _drain.Length, SocketFlags.None, out var error) > 0 && error == SocketError.Success)
        {
        }
        Volatile.Write(ref _signalled, 0);
    }

    public void Dispose()
    {
        _writer.Dispose();
        Reader.Dispose();
    }
}
