using System.Net;
using BitTorrent.Shared.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.Shared.Http;

public sealed class HttpHandlerSettingsTests
{
    [Fact]
    public void A_handler_gets_the_pooling_and_timeouts_and_none_of_proxy_cookies_redirects_or_decompression()
    {
        var settings = HttpHandlerSettings.Default with { ConnectTimeout = TimeSpan.FromMilliseconds(750), MaxConnectionsPerServer = 8 };

        using var handler = settings.CreateHandler();

        Assert.Equal(TimeSpan.FromMilliseconds(750), handler.ConnectTimeout);
        Assert.Equal(8, handler.MaxConnectionsPerServer);
        Assert.Equal(HttpHandlerSettings.Default.PooledConnectionLifetime, handler.PooledConnectionLifetime);
        Assert.Equal(HttpHandlerSettings.Default.PooledConnectionIdleTimeout, handler.PooledConnectionIdleTimeout);
        Assert.False(handler.UseProxy);
        Assert.False(handler.UseCookies);
        Assert.False(handler.AllowAutoRedirect);
        Assert.Equal(DecompressionMethods.None, handler.AutomaticDecompression);
    }

    [Fact]
    public void A_named_client_sends_through_a_handler_with_the_settings_and_keeps_it()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Options.Create(new ConnectOptions { Timeout = TimeSpan.FromSeconds(7) }));
        services.AddServiceHttpClient("plain");
        services.AddServiceHttpClient("custom", sp => HttpHandlerSettings.Default with { ConnectTimeout = sp.GetRequiredService<IOptions<ConnectOptions>>().Value.Timeout });
        using var provider = services.BuildServiceProvider();
        var handlers = provider.GetRequiredService<IHttpMessageHandlerFactory>();

        Assert.Equal(HttpHandlerSettings.Default.ConnectTimeout, Primary(handlers.CreateHandler("plain")).ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), Primary(handlers.CreateHandler("custom")).ConnectTimeout);
        // The factory never rotates the handler: its pooled connections renew themselves instead.
        var options = provider.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>();
        Assert.Equal(Timeout.InfiniteTimeSpan, options.Get("plain").HandlerLifetime);
        Assert.Same(Primary(handlers.CreateHandler("plain")), Primary(handlers.CreateHandler("plain")));
    }

    private sealed class ConnectOptions
    {
        public TimeSpan Timeout { get; set; }
    }

    private static SocketsHttpHandler Primary(HttpMessageHandler handler)
    {
        while (handler is DelegatingHandler delegating) handler = delegating.InnerHandler!;
        return Assert.IsType<SocketsHttpHandler>(handler);
    }
}
