using BitTorrent.IntegrationTests.Infrastructure;

namespace BitTorrent.IntegrationTests;

/// <summary>
/// The runner schedules by the collection and <c>make test</c> filters by the trait: a class with one and not the
/// other would run beside another scenario, or in the wrong run.
/// </summary>
public sealed class ScheduleTests
{
    [Fact]
    public void Every_scenario_in_the_alone_collection_has_the_alone_trait_and_no_other_has_it()
    {
        var classes = typeof(ScheduleTests).Assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract).ToList();
        var inCollection = classes.Where(t => ConstructorArgument<CollectionAttribute>(t, 0) == Alone.Name).Select(t => t.Name).Order().ToList();
        var withTrait = classes
            .Where(t => t.CustomAttributes.Any(a => a.AttributeType == typeof(TraitAttribute)
                && (string?)a.ConstructorArguments[0].Value == Alone.Trait && (string?)a.ConstructorArguments[1].Value == Alone.Value))
            .Select(t => t.Name).Order().ToList();

        Assert.NotEmpty(inCollection);
        Assert.Equal(inCollection, withTrait);
    }

    private static string? ConstructorArgument<T>(Type type, int index) where T : Attribute =>
        type.CustomAttributes.FirstOrDefault(a => a.AttributeType == typeof(T))?.ConstructorArguments[index].Value as string;
}
