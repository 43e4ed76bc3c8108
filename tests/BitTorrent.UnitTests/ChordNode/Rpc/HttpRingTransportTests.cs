using System.Net;
using System.Text;
using BitTorrent.ChordNode.Ring;
using BitTorrent.ChordNode.Rpc;
using BitTorrent.ChordNode.Storage;
using Microsoft.Extensions.Options;

namespace BitTorrent.UnitTests.ChordNode.Rpc;

public sealed class HttpRingTransportTests
{
    private static readonly NodeRef Member = NodeRef.ForUrl("http://127.0.0.1:5999");

    [Fact]
    public async Task A_member_answering_503_is_alive_the_operation_is_unavailable()
    {
        var transport = Transport(HttpStatusCode.ServiceUnavailable);
        var e = await Assert.ThrowsAsync<DhtUnavailableException>(() => transport.ApplyAsync(Member, new DhtOperation("counter/peers", DhtOperationKind.Increment), default));
        Assert.Contains("counter/peers", e.Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.Unauthorized)]
    public async Task A_member_failing_otherwise_is_unreachable(HttpStatusCode status)
    {
        var transport = Transport(status);
        await Assert.ThrowsAsync<NodeUnreachableException>(() => transport.ApplyAsync(Member, new DhtOperation("catalog/0", DhtOperationKind.GetSet), default));
    }

    private static HttpRingTransport Transport(HttpStatusCode status) =>
        new(new SingleClientFactory(new Answer(status)), Options.Create(new ChordOptions()));

    private sealed class Answer(HttpStatusCode status) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status)
            {
                RequestMessage = request,
                Content = new StringContent("""{"status":503,"title":"Ring unavailable"}""", Encoding.UTF8, "application/problem+json"),
            });
    }

    private sealed class SingleClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }
}
