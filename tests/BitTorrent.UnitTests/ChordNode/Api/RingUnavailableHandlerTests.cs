using System.Text.Json;
using BitTorrent.ChordNode.Api;
using BitTorrent.ChordNode.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace BitTorrent.UnitTests.ChordNode.Api;

public sealed class RingUnavailableHandlerTests
{
    [Fact]
    public async Task The_ring_being_unavailable_is_a_503_problem_with_retry_after()
    {
        var (handler, context, body) = Rig();
        Assert.True(await handler.TryHandleAsync(context, new DhtUnavailableException("counter/peers", null), default));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal("application/problem+json", context.Response.ContentType);
        using var problem = JsonDocument.Parse(body.ToArray());
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Ring unavailable", problem.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Other_errors_are_left_to_the_default_handler()
    {
        var (handler, context, _) = Rig();
        Assert.False(await handler.TryHandleAsync(context, new InvalidOperationException("a bug"), default));
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    private static (RingUnavailableHandler Handler, HttpContext Context, MemoryStream Body) Rig()
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = body;
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        return (new RingUnavailableHandler(services.GetRequiredService<Microsoft.AspNetCore.Http.IProblemDetailsService>()), context, body);
    }
}
