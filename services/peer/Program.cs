using BitTorrent.Peer.Hosting;
using BitTorrent.Shared.Hosting;

// Content (the web UI in wwwroot) next to the assembly, wherever the process is started from. The slim builder
// leaves out what a peer never uses (HTTPS endpoint configuration, HTTP/3 over QUIC, IIS integration, the debug
// and EventSource loggers), which a peer would otherwise load and keep in memory; host filtering (AllowedHosts)
// stays.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddPeer();

var app = builder.Build();
app.MapPeer();
return app.RunService();

/// <summary>Entry point, visible to in-process tests.</summary>
public partial class Program;
