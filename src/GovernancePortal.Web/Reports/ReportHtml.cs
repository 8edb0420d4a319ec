using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace GovernancePortal.Reports;

/// <summary>Renders a report component to an HTML string on the server: no request, no circuit, no UI library (ADR-006).</summary>
public sealed class ReportHtml(IServiceProvider services, ILoggerFactory loggers)
{
    public async Task<string> RenderAsync<TComponent>(Dictionary<string, object?> parameters) where TComponent : IComponent
    {
        await using var renderer = new HtmlRenderer(services, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }
}
