using BitTorrent.Gateway.Extensions;
using BitTorrent.Shared.Hosting;

// Content (wwwroot) next to the assembly, wherever the process is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddGateway();

var app = builder.Build();
app.MapGateway();
return app.RunService();

/// <summary>Entry point, visible to in-process tests.</summary>
public partial class Program;
