using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace BitTorrent.Shared.Hosting;

/// <summary>
/// A service's OpenAPI document is made when the service is built, not in the running service. The build runs the
/// service's own composition under the SDK's document tool (services/OpenApiDocument.targets), which writes
/// <see cref="FileName"/> next to the assembly, and the running service serves that file at <see cref="Path"/>. A
/// running service therefore never registers the document generator, which would load MVC Core, its abstractions
/// and the API explorer into every process (and the code JIT'd from them) for a document that is the same for
/// every instance of the service.
/// </summary>
public static class BuildTimeOpenApi
{
    public const string Path = "/openapi/v1.json";
    public const string FileName = "openapi.json";

    /// <summary>True inside the build's document tool: the process is composed, never started as a service.</summary>
    public static bool GeneratingDocument { get; } = Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    /// <summary>
    /// Inside the document tool only: registers the generator through <paramref name="addOpenApi"/> and removes the
    /// service's hosted services (the tool builds the host to read its endpoints; none of the service's background
    /// work is wanted there). Elsewhere nothing is registered and <paramref name="addOpenApi"/> is never called.
    /// </summary>
    /// <param name="services">The service's registrations.</param>
    /// <param name="addOpenApi">
    /// The service's own call of <c>AddOpenApi</c>, written in the service's project: the OpenAPI source generator
    /// adds the XML comments (schema and property descriptions) of the project that makes the call, so a call made
    /// here would describe only this library's types. Being a lambda, its body is compiled only when it runs, so a
    /// running service never loads the OpenAPI types it names.
    /// </param>
    public static void AddDocumentGeneration(IServiceCollection services, Action<IServiceCollection> addOpenApi)
    {
        ArgumentNullException.ThrowIfNull(addOpenApi);
        if (!GeneratingDocument) return;
        addOpenApi(services);
        services.RemoveAll<IHostedService>();
    }

    /// <summary>
    /// Maps <see cref="Path"/>: the generator's endpoint inside the document tool; elsewhere the file the build
    /// wrote, or a 404 problem when the service was not built with it.
    /// </summary>
    public static IEndpointRouteBuilder MapDocument(this IEndpointRouteBuilder endpoints)
    {
        if (GeneratingDocument)
        {
            MapGenerator(endpoints);
            return endpoints;
        }
        var file = System.IO.Path.Combine(AppContext.BaseDirectory, FileName);
        var service = Assembly.GetEntryAssembly()?.GetName().Name ?? "the service";
        // A plain request delegate: a handler with parameters would be compiled by the request delegate factory at
        // start (expression trees) in a library, which has no compile-time request delegate generator.
        RequestDelegate document = context => (File.Exists(file)
                ? Results.File(file, "application/json;charset=utf-8")
                : Results.Problem($"{FileName} was not built next to {service}; build the service's project to make it.",
                    statusCode: StatusCodes.Status404NotFound))
            .ExecuteAsync(context);
        endpoints.MapGet(Path, document).ExcludeFromDescription();
        return endpoints;
    }

    // Out of line, so that a running service never JITs a method that names the OpenAPI types, and so never loads
    // their assemblies.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MapGenerator(IEndpointRouteBuilder endpoints) => endpoints.MapOpenApi(Path);
}
