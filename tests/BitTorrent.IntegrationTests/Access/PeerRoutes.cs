using System.Text.RegularExpressions;
using BitTorrent.Peer.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;

namespace BitTorrent.IntegrationTests.Access;

/// <summary>
/// The peer's routes as its endpoint data source lists them (the app is composed in-process, never started), so a
/// route added later is in every test that walks them without anyone listing it.
/// </summary>
public static partial class PeerRoutes
{
    public sealed record Route(string Method, string Pattern, bool TakesMultipart)
    {
        /// <summary>The route's path with every parameter filled with <paramref name="value"/>.</summary>
        public string PathWith(string value) => Parameter().Replace(Pattern, value).TrimStart('/');

        public override string ToString() => $"{Method} /{Pattern.Trim('/')}";
    }

    /// <summary>Every route that is not GET or HEAD: those that change something.</summary>
    public static IReadOnlyList<Route> Mutating()
    {
        var storage = Directory.CreateTempSubdirectory("bt-routes-");
        try
        {
            var builder = WebApplication.CreateBuilder();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Peer:StoragePath"] = storage.FullName,
                ["Discovery:Enabled"] = "false",
            });
            builder.AddPeer();
            using var app = builder.Build();
            app.MapPeer();
            var routes = ((IEndpointRouteBuilder)app).DataSources
                .SelectMany(source => source.Endpoints)
                .OfType<RouteEndpoint>()
                .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(method => new Route(
                    method,
                    endpoint.RoutePattern.RawText ?? "",
                    endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.Contains("multipart/form-data") == true)))
                .Where(route => route.Method is not ("GET" or "HEAD"))
                .Distinct()
                .ToList();
            return routes;
        }
        finally
        {
            storage.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
