using BitTorrent.ChordNode.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024);
builder.AddChordRing();
builder.Services.AddOpenApi();

var app = builder.Build();
app.MapChordNode();
app.MapOpenApi();
app.Run();

/// <summary>Entry point, visible to in-process tests.</summary>
public partial class Program;
