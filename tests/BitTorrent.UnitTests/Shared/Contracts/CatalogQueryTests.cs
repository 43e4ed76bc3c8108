using BitTorrent.Shared.Contracts.Tracker;

namespace BitTorrent.UnitTests.Shared.Contracts;

public sealed class CatalogQueryTests
{
    [Fact]
    public void Without_page_fields_the_query_is_the_whole_catalog_by_name()
    {
        Assert.True(CatalogQuery.TryCreate(" notes ", null, null, null, null, out var query, out _));
        Assert.Equal(new CatalogQuery("notes", CatalogSort.Name, false, 1, int.MaxValue), query);
    }

    [Fact]
    public void Page_fields_default_each_other_and_sort_names_ignore_case()
    {
        Assert.True(CatalogQuery.TryCreate(null, "Seeders", "DESC", 3, null, out var query, out _));
        Assert.Equal(new CatalogQuery(null, CatalogSort.Seeders, true, 3, CatalogQuery.DefaultPageSize), query);
        Assert.Equal(("seeders", "desc"), (query.SortName, query.OrderName));
        Assert.True(CatalogQuery.TryCreate(null, "published", "asc", null, 10, out query, out _));
        Assert.Equal(new CatalogQuery(null, CatalogSort.Published, false, 1, 10), query);
    }

    [Theory]
    [InlineData("popularity", null, null, null, "sort")]
    [InlineData("1", null, null, null, "sort")]
    [InlineData(null, "down", null, null, "order")]
    [InlineData(null, null, 0, null, "page")]
    [InlineData(null, null, 1, 0, "pageSize")]
    [InlineData(null, null, 1, 201, "pageSize")]
    public void Every_field_out_of_range_is_refused_with_a_sentence(string? sort, string? order, int? page, int? pageSize, string field)
    {
        Assert.False(CatalogQuery.TryCreate(null, sort, order, page, pageSize, out var query, out var errors));
        Assert.Null(query);
        var message = Assert.Single(Assert.Contains(field, errors));
        Assert.EndsWith(".", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_search_longer_than_the_limit_is_refused()
    {
        Assert.False(CatalogQuery.TryCreate(new string('x', CatalogQuery.MaxSearchLength + 1), null, null, null, null, out _, out var errors));
        Assert.Contains("search", errors.Keys);
    }
}
