using BitTorrent.ChordNode.Extensions;
using BitTorrent.Shared.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddChordRing();

var app = builder.Build();
app.MapChordNode();
return app.RunService();

/// <summary>Entry point, visible to in-process tests.</summary>
public partial class Program;
