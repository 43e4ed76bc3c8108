var builder = WebApplication.CreateBuilder(args);
builder.Services.AddOpenApi();
var app = builder.Build();
app.MapOpenApi();
app.MapGet("/healthz", () => TypedResults.Ok("live")).WithSummary("Liveness probe");
app.Run();
