using System.Diagnostics.CodeAnalysis;

namespace BitTorrent.Shared.Contracts.Tracker;

/// <summary>What the catalog can be ordered by.</summary>
public enum CatalogSort
{
    Name,
    Size,
    Seeders,
    Published,
}

/// <summary>
/// A request for the catalog: a name filter, an order and, when paged, a page. Read from the query string of
/// <c>GET /api/tracker/files</c> (and the peer's <c>GET /api/catalog</c>), where every field is checked:
/// <c>sort</c> is name, size, seeders or published; <c>order</c> asc or desc; <c>page</c> from 1;
/// <c>pageSize</c> from 1 to <see cref="MaxPageSize"/>. <see cref="AvailableOnly"/> (<c>available=true</c>) hides
/// entries with no seeder for the tracker's <c>StaleAfter</c>.
/// </summary>
public sealed record CatalogQuery(string? Search, CatalogSort Sort, bool Descending, int Page, int PageSize, bool AvailableOnly = false)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int MaxSearchLength = 255;

    /// <summary>The whole catalog by name, as an unpaged listing returns it.</summary>
    public static CatalogQuery All(string? search = null) => new(search, CatalogSort.Name, false, 1, int.MaxValue);

    public string SortName => Sort.ToString().ToLowerInvariant();
    public string OrderName => Descending ? "desc" : "asc";

    /// <summary>
    /// Reads the query-string fields; <paramref name="errors"/> names each refused field with a sentence. Without
    /// <paramref name="page"/> and <paramref name="pageSize"/> the query is unpaged (every matching file).
    /// </summary>
    public static bool TryCreate(string? search, string? sort, string? order, int? page, int? pageSize,
        [NotNullWhen(true)] out CatalogQuery? query, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var by = CatalogSort.Name;
        if (!string.IsNullOrEmpty(sort) && (!Enum.TryParse(sort, ignoreCase: true, out by) || !Enum.IsDefined(by) || int.TryParse(sort, out _)))
            errors["sort"] = [$"'{Clip(sort)}' is not a sort order: use name, size, seeders or published."];
        var descending = false;
        if (!string.IsNullOrEmpty(order))
        {
            if (string.Equals(order, "desc", StringComparison.OrdinalIgnoreCase)) descending = true;
            else if (!string.Equals(order, "asc", StringComparison.OrdinalIgnoreCase)) errors["order"] = [$"'{Clip(order)}' is not an order: use asc or desc."];
        }
        if (page is < 1) errors["page"] = ["Pages are numbered from 1."];
        if (pageSize is < 1 or > MaxPageSize) errors["pageSize"] = [$"A page holds from 1 to {MaxPageSize} files."];
        if (search is { Length: > MaxSearchLength }) errors["search"] = [$"A search is at most {MaxSearchLength} characters."];
        var paged = page is not null || pageSize is not null;
        query = errors.Count > 0 ? null
            : new CatalogQuery(string.IsNullOrWhiteSpace(search) ? null : search.Trim(), by, descending,
                paged ? page ?? 1 : 1, paged ? pageSize ?? DefaultPageSize : int.MaxValue);
        return query is not null;
    }

    private static string Clip(string text) => text.Length <= 32 ? text : text[..32] + "…";
}
