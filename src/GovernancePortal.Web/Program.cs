using GovernancePortal.Hosting;

var commandLine = CommandLine.Parse(args);
var builder = WebApplication.CreateBuilder(commandLine.HostArguments);
builder.AddRootDevelopmentSettings();
// Framework files such as _framework/blazor.web.js are in the publish output; run from bin/ outside Development they
// are found only through the static web assets manifest, which this reads (a no-op in published output).
builder.WebHost.UseStaticWebAssets();
builder.AddPortalServices();
var app = builder.Build();

if (commandLine.HasCommand)
{
    return await PortalCommands.RunAsync(app, commandLine);
}

if (app.StartupProblems() is [_, ..] problems)
{
    foreach (var problem in problems)
    {
        await Console.Error.WriteLineAsync($"GovernancePortal will not start: {problem}");
    }
    return 1;
}

app.UsePortal();
await app.PrepareDatabaseAsync();
await app.RunAsync();
return 0;

public partial class Program;
