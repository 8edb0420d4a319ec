using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GovernancePortal;

/// <summary>Renders a component to HTML as static SSR does, and parses it for assertions.</summary>
public static class ComponentRenderer
{
    private static readonly HtmlParser Parser = new();

    public static async Task<IHtmlDocument> RenderAsync<TComponent>(Dictionary<string, object?>? parameters = null, string uri = "http://localhost/")
        where TComponent : IComponent
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton<NavigationManager>(new TestNavigationManager(uri));
        services.AddSingleton<AntiforgeryStateProvider, TestAntiforgery>();
        await using var provider = services.BuildServiceProvider();
        await using var renderer = new HtmlRenderer(provider, NullLoggerFactory.Instance);
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters ?? []));
            return output.ToHtmlString();
        });
        return Parser.ParseDocument($"<!DOCTYPE html><html><body>{html}</body></html>");
    }

    private sealed class TestNavigationManager : NavigationManager
    {
        public TestNavigationManager(string uri) => Initialize("http://localhost/", uri);
    }

    private sealed class TestAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => new("test-token", "__RequestVerificationToken");
    }
}
