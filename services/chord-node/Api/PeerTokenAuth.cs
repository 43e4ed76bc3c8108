using System.Reflection;
using BitTorrent.Shared.Contracts.Tracker;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BitTorrent.ChordNode.Api;

/// <summary>
/// The peer token on the REST API: read from <c>Authorization: Bearer &lt;token&gt;</c>, refused as 401 (none) or
/// 403 (not the peer's) problem details, and described in the OpenAPI document as the "PeerToken" bearer scheme.
/// </summary>
public static class PeerTokenAuth
{
    public const string SchemeName = "PeerToken";

    /// <summary>The bearer token of a request, or null when it sent none (or something that cannot be one).</summary>
    public static string? Token(HttpRequest request) => PeerToken.FromAuthorization(request.Headers.Authorization);

    /// <summary>Marks a route as needing a peer's token: documented with the scheme and its 401 and 403 answers.</summary>
    public static RouteHandlerBuilder RequirePeerToken(this RouteHandlerBuilder route) =>
        route.WithMetadata(new PeerTokenRequired());

    /// <summary>Adds the scheme to the document and the requirement to every operation of a route marked with <see cref="RequirePeerToken"/>.</summary>
    public static OpenApiOptions AddPeerTokenScheme(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "<peerId>.<secret>",
                Description = "The token POST /api/tracker/peers returned to the peer (it is shown only then).",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<PeerTokenRequired>().Any())
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
            }
            return Task.CompletedTask;
        });
        return options;
    }

    private sealed class PeerTokenRequired;
}

/// <summary>A 401 written as <c>application/problem+json</c> with <c>WWW-Authenticate: Bearer</c>, documented as such.</summary>
public sealed class UnauthorizedProblem(string what) : IResult, IEndpointMetadataProvider
{
    public ProblemDetails ProblemDetails { get; } = new()
    {
        Status = StatusCodes.Status401Unauthorized,
        Title = "Peer token required",
        Detail = $"{what} needs the peer's token as 'Authorization: Bearer <token>' (the token its registration returned).",
    };

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.WWWAuthenticate = PeerToken.Scheme;
        return TypedResults.Problem(ProblemDetails).ExecuteAsync(httpContext);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ProblemDetails), ["application/problem+json"]));
}

/// <summary>A 403 written as <c>application/problem+json</c>, documented as such.</summary>
public sealed class ForbiddenProblem(string what) : IResult, IEndpointMetadataProvider
{
    public ProblemDetails ProblemDetails { get; } = new()
    {
        Status = StatusCodes.Status403Forbidden,
        Title = "Not this peer's token",
        Detail = $"{what} needs the token of the peer concerned; the one sent is not it. Nothing was changed.",
    };

    public Task ExecuteAsync(HttpContext httpContext) => TypedResults.Problem(ProblemDetails).ExecuteAsync(httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(ProblemDetails), ["application/problem+json"]));
}

/// <summary>
/// A route's request body limit, applied by routing before the body is read (<see cref="IRequestSizeLimitMetadata"/>):
/// a larger body is refused with 413 while it streams, never buffered.
/// </summary>
public sealed class RequestBodyLimit(long bytes) : IRequestSizeLimitMetadata
{
    /// <summary>JSON bodies of the tracker API are a few hundred bytes; this leaves room and no more.</summary>
    public const long Json = 16 * 1024;

    public long? MaxRequestBodySize { get; } = bytes;
}
