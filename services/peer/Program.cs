using BitTorrent.Peer.Hosting;
using BitTorrent.Shared.Hosting;

// Content (the web UI in wwwroot) next to the assembly, wherever the process is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddPeer();

var app = builder.Build();
app.MapPeer();
return app.RunService();

/// <summary>Entry point, visible to in-process tests.</summary>
public partial class Program;
