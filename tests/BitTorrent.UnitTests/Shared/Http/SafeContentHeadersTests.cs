using BitTorrent.Shared.Http;
using Microsoft.AspNetCore.Http;

namespace BitTorrent.UnitTests.Shared.Http;

public sealed class SafeContentHeadersTests
{
    [Theory]
    [InlineData("text/html; charset=utf-8", false)]
    [InlineData("image/svg+xml", false)]
    [InlineData("text/xml", false)]
    [InlineData("application/xml", false)]
    [InlineData("application/xhtml+xml", false)]
    [InlineData("text/javascript", false)]
    [InlineData("application/octet-stream", false)]
    [InlineData("not a type", false)]
    [InlineData("image/png", true)]
    [InlineData("image/jpeg", true)]
    [InlineData("video/mp4", true)]
    [InlineData("audio/mpeg", true)]
    [InlineData("application/pdf", true)]
    [InlineData("text/plain", true)]
    public void Types_that_can_carry_script_become_attachments_and_every_response_is_sandboxed(string type, bool inline)
    {
        var context = new DefaultHttpContext();
        context.Response.StatusCode = 200;
        context.Response.ContentType = type;
        context.Response.Headers.ContentDisposition = "inline; filename*=UTF-8''x.bin";

        SafeContentHeaders.Apply(context.Response);

        Assert.Equal("nosniff", context.Response.Headers.XContentTypeOptions.ToString());
        Assert.Equal("sandbox", context.Response.Headers.ContentSecurityPolicy.ToString());
        var disposition = context.Response.Headers.ContentDisposition.ToString();
        Assert.StartsWith(inline ? "inline" : "attachment", disposition, StringComparison.Ordinal);
        Assert.Contains("x.bin", disposition, StringComparison.Ordinal);
    }
}
