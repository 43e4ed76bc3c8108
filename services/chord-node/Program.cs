using BitTorrent.ChordNode.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddChordRing();

var app = builder.Build();
app.MapChordNode();
app.Run();

/// <summary>Entry point, visible to in-process tests.</summary>
public partial class Program;
