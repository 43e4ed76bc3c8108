using System.Net;
using System.Net.Sockets;

namespace BitTorrent.Shared.Discovery;

/// <summary>
/// Sockets for the discovery group, always pinned to the configured interface.
/// </summary>
/// <remarks>
/// Linux's <c>lo</c> carries no MULTICAST flag, yet multicast over it works when the sender sets
/// IP_MULTICAST_IF to 127.0.0.1 and the receiver joins the group on 127.0.0.1 (verified with TTL 0
/// and 1, several receivers on one port). Without IP_MULTICAST_IF the kernel routes the group by the
/// default route (e.g. eth0) and loopback receivers hear nothing, so the interface is never left unset.
/// </remarks>
internal static class DiscoverySockets
{
    public static Socket CreateSender(DiscoveryOptions options)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, options.InterfaceAddress.GetAddressBytes());
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, options.Ttl);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
            // Send from the interface's own address so the datagram's source matches the interface.
            socket.Bind(new IPEndPoint(options.InterfaceAddress, 0));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static Socket CreateReceiver(DiscoveryOptions options)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Several processes on one machine (a whole local ring) listen on the same group port.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            // On Linux binding to the group address keeps out datagrams of other groups on the same port;
            // Windows cannot bind to a multicast address, so it binds to any.
            var bindAddress = OperatingSystem.IsWindows() ? IPAddress.Any : options.GroupAddress;
            socket.Bind(new IPEndPoint(bindAddress, options.Port));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership,
                new MulticastOption(options.GroupAddress, options.InterfaceAddress));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
