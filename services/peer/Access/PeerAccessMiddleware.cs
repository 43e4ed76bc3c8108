using System.Text.RegularExpressions;
using BitTorrent.Peer.Api;
using BitTorrent.Peer.Hosting;
using BitTorrent.Shared.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace BitTorrent.Peer.Access;

/// <summary>
/// Who may use this peer. Every request under <c>/api</c> (every route, present and future: deny by default) needs
/// the peer's key as <c>Authorization: Bearer</c> or a session cookie the key made; otherwise 401 problem details
/// and the endpoint never runs. A cookie-authenticated request that changes something must also come from this
/// peer's own page (<see cref="RequestOrigin"/>). The login link <c>…/?key=KEY</c> sets the session cookie, scoped
/// to this peer's path (behind the gateway <c>/peers/{id}/</c>), and redirects to the bare url so the key leaves
/// the address bar and the history. The UI shell, <c>/openapi</c>, <c>/healthz</c>, <c>/readyz</c> and the public
/// content route of shared files (<see cref="PublicFilesApi"/>, read-only) stay open.
/// API responses carry <see cref="SafeContentHeaders"/>; an authenticated request's body may be as large as its
/// endpoint's <see cref="BodyLimit"/>.
/// </summary>
public sealed partial class PeerAccessMiddleware(
    RequestDelegate next, ApiKey key, IOptions<PeerOptions> options, TimeProvider time, ILogger<PeerAccessMiddleware> logger)
{
    public const string LoginQueryKey = "key";

    /// <summary>How long a browser session lasts before the user follows the login link again.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromDays(30);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/api"))
        {
            context.Response.OnStarting(static state =>
            {
                SafeContentHeaders.Apply((HttpResponse)state);
                return Task.CompletedTask;
            }, context.Response);
            var how = Authenticate(request);
            if (how == Credential.None)
            {
                LogRefused(logger, request.Method, request.Path);
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await Problem(context, StatusCodes.Status401Unauthorized, "Key needed",
                    "This peer answers its owner only: send its API key as 'Authorization: Bearer <key>' (the key is in the peer's Storage/api-key), or open the login link 'make run' printed.");
                return;
            }
            if (how == Credential.Cookie && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
                && RequestOrigin.Refusal(request) is { } refusal)
            {
                LogCrossOrigin(logger, request.Method, request.Path, refusal);
                await Problem(context, StatusCodes.Status403Forbidden, "Cross-origin request refused",
                    $"A request that changes something must come from this peer's own page ({refusal}).");
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
                bodyLimit.MaxRequestBodySize = BodyLimit.For(context.GetEndpoint(), options.Value);
        }
        else if (request.Path.StartsWithSegments(PublicFilesApi.Prefix))
        {
            // Shared files' bytes need no key (published content is public), and get the same safe headers.
            context.Response.OnStarting(static state =>
            {
                SafeContentHeaders.Apply((HttpResponse)state);
                return Task.CompletedTask;
            }, context.Response);
        }
        else if ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && request.Query.ContainsKey(LoginQueryKey))
        {
            LogIn(context);
            return;
        }
        await next(context);
    }

    private Credential Authenticate(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return key.Matches(authorization["Bearer ".Length..].Trim()) ? Credential.Bearer : Credential.None;
        return key.IsSession(request.Cookies[key.CookieName], time.GetUtcNow(), SessionLifetime) ? Credential.Cookie : Credential.None;
    }

    /// <summary>The login link: a good key gets a session cookie; either way the answer is a redirect to the url without it.</summary>
    private void LogIn(HttpContext context)
    {
        var request = context.Request;
        var prefix = ForwardedPrefix(request);
        var rest = QueryHelpers.ParseQuery(request.QueryString.Value);
        rest.Remove(LoginQueryKey);
        var bare = prefix + request.Path.Value + QueryString.Create(rest.SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v))));
        var accepted = key.Matches(request.Query[LoginQueryKey].ToString());
        if (accepted)
        {
            context.Response.Cookies.Append(key.CookieName, key.NewSession(time.GetUtcNow()), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Path = prefix + "/",
                Secure = RequestOrigin.Scheme(request) == "https",
                MaxAge = SessionLifetime,
                IsEssential = true,
            });
        }
        LogLogin(logger, accepted);
        // The fragment tells the login screen why it shows (it never reaches a server or a log).
        context.Response.Redirect(accepted ? bare : bare + "#wrong-key");
        context.Response.Headers.CacheControl = "no-store";
    }

    /// <summary>The path the gateway serves this peer under (<c>/peers/3</c>), or empty when reached directly.</summary>
    internal static string ForwardedPrefix(HttpRequest request)
    {
        var prefix = request.Headers["X-Forwarded-Prefix"];
        return prefix.Count == 1 && SafePrefix().IsMatch(prefix.ToString()) ? prefix.ToString().TrimEnd('/') : "";
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(context);

    [GeneratedRegex("^/[A-Za-z0-9_/-]{0,200}$")]
    private static partial Regex SafePrefix();

    private enum Credential { None, Bearer, Cookie }

    // The query string is never logged: it may hold the key.
    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {Method} {Path}: no valid key or session")]
    private static partial void LogRefused(ILogger logger, string method, PathString path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} {Path} with a session cookie: {Reason}")]
    private static partial void LogCrossOrigin(ILogger logger, string method, PathString path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Login link followed; key accepted: {Accepted}")]
    private static partial void LogLogin(ILogger logger, bool accepted);
}
