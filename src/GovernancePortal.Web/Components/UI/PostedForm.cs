namespace GovernancePortal.Components.UI;

/// <summary>
/// Static SSR runs a post's handler only when the page renders a form of the posted name; otherwise it answers a bare 400.
/// A form a page shows only in some state (a pending request, an open review) is gone once someone else ends that state,
/// so a page opened before still renders the form that is being posted to it: its handler runs, and the page shows the
/// service's refusal. A handler that is refused forgets the name, so the page then shows the reason instead of the form.
/// </summary>
public static class PostedForm
{
    /// <summary>The name of the form this request posts (the "_handler" field Blazor writes into every named form), or null.</summary>
    public static string? NameOf(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        // The form was read before the page rendered: dispatching the post needs it, so reading it here costs nothing.
        return HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType ? http.Request.Form["_handler"].FirstOrDefault() : null;
    }
}
