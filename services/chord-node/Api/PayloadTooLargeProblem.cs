using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace BitTorrent.ChordNode.Api;

/// <summary>
/// A 413 written as <c>application/problem+json</c>, documented as such. TypedResults.NotFound&lt;ProblemDetails&gt;
/// documents the status but writes application/json, and TypedResults.Problem writes application/problem+json
/// but documents nothing; this does both, so the OpenAPI document and the wire agree with RFC 7807.
/// </summary>
public sealed class PayloadTooLargeProblem(string title, string detail) : IResult, IEndpointMetadataProvider
{
    public ProblemDetails ProblemDetails { get; } = new() { Status = StatusCodes.Status413PayloadTooLarge, Title = title, Detail = detail };

    public Task ExecuteAsync(HttpContext httpContext) => TypedResults.Problem(ProblemDetails).ExecuteAsync(httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status413PayloadTooLarge, typeof(ProblemDetails), ["application/problem+json"]));
}
