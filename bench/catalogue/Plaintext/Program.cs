// The yardstick: Kestrel's plaintext response with the same host defaults as the portal (WebApplication.CreateBuilder)
// and no application work, measured on the same machine in the same run as the portal's pages.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
app.MapGet("/plaintext", () => "Hello, World!");
app.Run();
