using System.Net;
using System.Net.Sockets;
using BitTorrent.Shared.Contracts.Tracker;

namespace BitTorrent.Gateway.Routing;

/// <summary>
/// The connect step of the peer-forwarding client: resolves the peer's host and connects only to an address a
/// peer may have, so a registered host name that resolves to a metadata or link-local address is refused too.
/// </summary>
public static class PeerAddressConnector
{
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(a => PeerAddressRules.Refusal(a) is null).ToArray();
        if (allowed.Length == 0)
            throw new HttpRequestException($"{host} resolves to no address a peer may have (link-local, metadata, multicast or unspecified).");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
