using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BitTorrent.Peer.Access;

/// <summary>
/// Puts the API key into the OpenAPI document as a bearer scheme required by every operation, so Swagger UI
/// (the gateway's, for peers) shows "Authorize" and sends the key with each call it makes.
/// </summary>
public sealed class BearerSecurityScheme : IOpenApiDocumentTransformer
{
    public const string Name = "ApiKey";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Name] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The peer's API key: the file api-key in its Storage folder, or Peer:ApiKey when configured.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Name, document)] = [] });
        return Task.CompletedTask;
    }
}
