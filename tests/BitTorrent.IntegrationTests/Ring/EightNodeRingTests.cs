using System.Net;
using System.Net.Http.Json;
using BitTorrent.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace BitTorrent.IntegrationTests.Ring;

public sealed class EightNodeRingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Eight_processes_form_one_ring_in_id_order_and_lookups_agree_from_every_member()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(8);
        await ring.WaitConvergedAsync();

        var view = await ring.RingAsync(ring.Nodes[3]);
        Assert.Equal(8, view.Size);

        // Every member answers a lookup of the same id with the same successor.
        var id = BitTorrent.Shared.Identifiers.Id160.Hash("some key");
        var answers = new HashSet<string>();
        foreach (var node in ring.Nodes)
        {
            var report = await ring.Http.GetFromJsonAsync<BitTorrent.ChordNode.Api.LookupReport>($"{node.Url}/chord/lookup/{id}", ChordRing.Json);
            answers.Add(report!.Successor.Url);
        }
        Assert.Single(answers);
        var expected = view.Members.FirstOrDefault(m => string.CompareOrdinal(m.Id, id.ToString()) >= 0) ?? view.Members[0];
        Assert.Equal(expected.Url, answers.Single());
    }

    [Fact]
    public async Task Ring_rpc_without_the_secret_is_refused_with_401_and_public_endpoints_stay_open()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        using var anonymous = new HttpClient();
        var node = ring.Nodes[0].Url;

        foreach (var path in new[] { "/chord/state", "/chord/info", "/dht/keys" })
        {
            using var response = await anonymous.GetAsync(node + path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        using var wrong = new HttpRequestMessage(HttpMethod.Post, node + "/dht/merge") { Content = JsonContent.Create(Array.Empty<object>()) };
        wrong.Headers.Add("X-Ring-Secret", "not-the-secret");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(node + "/api/tracker/ring")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(node + "/healthz")).StatusCode);
    }

    [Fact]
    public async Task Oversized_bodies_are_refused_with_413()
    {
        await using var ring = new ChordRing(output);
        await ring.StartAsync(1);
        var node = ring.Nodes[0].Url;
        // Ring RPC allows 64 MiB (replica batches); one byte more is refused before it is read whole.
        using var content = new ByteArrayContent(new byte[64 * 1024 * 1024 + 1]);
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, node + "/dht/merge") { Content = content };
        request.Headers.ExpectContinue = true; // the server answers before the body is sent
        using var response = await ring.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
