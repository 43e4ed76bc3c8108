using System.Net;

namespace BitTorrent.Shared.Http;

/// <summary>
/// Connection settings of every HTTP client between our services, in one place: keep-alive connections
/// pooled per server and renewed every few minutes (so a name that moves is looked up again), a short
/// connect timeout (a dead member fails fast instead of holding a request), and none of what a call
/// between services never needs: proxy, cookies, redirects, decompression.
/// </summary>
public sealed record HttpHandlerSettings
{
    /// <summary>The settings every client starts from.</summary>
    public static HttpHandlerSettings Default { get; } = new();

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a pooled connection is used before it is replaced.</summary>
    public TimeSpan PooledConnectionLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an unused pooled connection is kept open.</summary>
    public TimeSpan PooledConnectionIdleTimeout { get; init; } = TimeSpan.FromMinutes(1);

    public int MaxConnectionsPerServer { get; init; } = int.MaxValue;

    /// <summary>A new handler with these settings.</summary>
    public SocketsHttpHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler();
        Apply(handler);
        return handler;
    }

    /// <summary>Applies these settings to a handler made elsewhere (YARP's forwarder creates its own).</summary>
    public void Apply(SocketsHttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        handler.UseProxy = false;
        handler.UseCookies = false;
        handler.AllowAutoRedirect = false;
        handler.AutomaticDecompression = DecompressionMethods.None;
        handler.ConnectTimeout = ConnectTimeout;
        handler.PooledConnectionLifetime = PooledConnectionLifetime;
        handler.PooledConnectionIdleTimeout = PooledConnectionIdleTimeout;
        handler.MaxConnectionsPerServer = MaxConnectionsPerServer;
    }
}
