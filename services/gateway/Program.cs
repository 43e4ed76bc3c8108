using BitTorrent.Gateway.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddGateway();

var app = builder.Build();
app.MapGateway();
app.Run();

/// <summary>Entry point, visible to in-process tests.</summary>
public partial class Program;
