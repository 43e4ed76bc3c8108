using System.Reflection;
using System.Runtime.CompilerServices;
using BitTorrent.Peer.Access;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BitTorrent.Peer.Hosting;

/// <summary>
/// The peer's OpenAPI document is made when the peer is built, not in the running peer. The build runs the peer's
/// own composition under the SDK's document tool (<c>OpenApiGenerateDocuments</c> in the project file), writes
/// <see cref="FileName"/> next to the assembly, and a running peer serves that file at <see cref="Path"/>. A
/// running peer therefore never registers the document generator, which would load MVC Core, its abstractions and
/// the API explorer into every peer process (about 2 MiB of mapped images and the code JIT'd from them) for a
/// document that is the same for every peer.
/// </summary>
public static class PeerOpenApi
{
    public const string Path = "/openapi/v1.json";
    public const string FileName = "openapi.json";

    /// <summary>True inside the build's document tool: the process is composed, never started.</summary>
    public static bool GeneratingDocument { get; } = Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    public static void AddDocumentGeneration(IServiceCollection services)
    {
        if (GeneratingDocument) AddOpenApiServices(services);
    }

    public static void MapDocument(WebApplication app)
    {
        if (GeneratingDocument)
        {
            MapOpenApiEndpoint(app);
            return;
        }
        var file = System.IO.Path.Combine(AppContext.BaseDirectory, FileName);
        app.MapGet(Path, () => File.Exists(file)
                ? Results.File(file, "application/json;charset=utf-8")
                : Results.Problem($"{FileName} was not built next to the peer; build the peer project to make it.", statusCode: StatusCodes.Status404NotFound))
            .ExcludeFromDescription();
    }

    // Kept out of line so that the running peer never JITs a method that names the OpenAPI types, and so never
    // loads their assemblies.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddOpenApiServices(IServiceCollection services)
    {
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer<BearerSecurityScheme>());
        // The document tool builds the host without starting it; nothing of the peer's background work is wanted.
        services.RemoveAll<IHostedService>();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MapOpenApiEndpoint(WebApplication app) => app.MapOpenApi(Path);
}
