using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace GovernancePortal;

/// <summary>
/// A bUnit context per test with the portal's UI services (MudBlazor's included). MudBlazor's services implement only
/// IAsyncDisposable, so the context is disposed asynchronously through xUnit's IAsyncLifetime.
/// </summary>
public abstract class BunitTest : IAsyncLifetime
{
    protected BunitContext Context { get; } = new();

    protected BunitTest()
    {
        Context.Services.AddMudServices();
        Context.Services.AddSingleton<AntiforgeryStateProvider, TestAntiforgery>();
        // MudBlazor components call into their script; what they ask for is irrelevant to what these tests check.
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>Renders <typeparamref name="TComponent"/> with parameters by name, at <paramref name="uri"/>.</summary>
    protected IRenderedComponent<TComponent> Render<TComponent>(Dictionary<string, object?>? parameters = null, string uri = "http://localhost/")
        where TComponent : IComponent
    {
        Context.Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
        return Context.Render<TComponent>(builder =>
        {
            builder.OpenComponent<TComponent>(0);
            foreach (var (name, value) in parameters ?? [])
            {
                builder.AddComponentParameter(1, name, value);
            }
            builder.CloseComponent();
        });
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Context.DisposeAsync();

    private sealed class TestAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => new("test-token", "__RequestVerificationToken");
    }
}
