using BitTorrent.Peer.Access;
using Microsoft.AspNetCore.Http;

namespace BitTorrent.UnitTests.Peer.Access;

public sealed class RequestOriginTests
{
    private static HttpRequest Request(string? origin, string? referer, bool throughGateway = false)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1:5201");
        if (throughGateway)
        {
            context.Request.Headers["X-Forwarded-Host"] = "127.0.0.1:5000";
            context.Request.Headers["X-Forwarded-Proto"] = "http";
            context.Request.Headers["X-Forwarded-Prefix"] = "/peers/3";
        }
        if (origin is not null) context.Request.Headers.Origin = origin;
        if (referer is not null) context.Request.Headers.Referer = referer;
        return context.Request;
    }

    [Theory]
    [InlineData("http://127.0.0.1:5201", null)]
    [InlineData(null, "http://127.0.0.1:5201/")]
    [InlineData("http://127.0.0.1:5201", "http://127.0.0.1:5201/#downloads")]
    public void A_change_from_the_peers_own_page_passes(string? origin, string? referer) =>
        Assert.Null(RequestOrigin.Refusal(Request(origin, referer)));

    [Theory]
    [InlineData("http://evil.example", null)]
    [InlineData("http://127.0.0.1:5202", null)]
    [InlineData("null", null)]
    [InlineData(null, "http://127.0.0.1:5202/")]
    [InlineData(null, null)]
    [InlineData("http://127.0.0.1:5201", "http://evil.example/")]
    public void A_change_from_anywhere_else_is_refused(string? origin, string? referer) =>
        Assert.NotNull(RequestOrigin.Refusal(Request(origin, referer)));

    [Fact]
    public void Through_the_gateway_the_origin_is_the_gateways_and_the_referer_must_be_under_the_peers_path()
    {
        Assert.Null(RequestOrigin.Refusal(Request("http://127.0.0.1:5000", "http://127.0.0.1:5000/peers/3/", throughGateway: true)));
        Assert.NotNull(RequestOrigin.Refusal(Request("http://127.0.0.1:5000", "http://127.0.0.1:5000/peers/4/", throughGateway: true)));
        Assert.NotNull(RequestOrigin.Refusal(Request("http://127.0.0.1:5201", null, throughGateway: true)));
    }
}
