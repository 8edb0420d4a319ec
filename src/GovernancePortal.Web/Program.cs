using GovernancePortal.Hosting;

var commandLine = CommandLine.Parse(args);
var builder = WebApplication.CreateBuilder(commandLine.HostArguments);
builder.AddRootDevelopmentSettings();
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
