using GovernancePortal.Registry;
using Microsoft.AspNetCore.Components.Forms;

namespace GovernancePortal.Components.UI;

/// <summary>Puts a command's field errors (keyed by JSON path, e.g. "lineage.commit") beside the matching form fields.</summary>
public static class FormErrors
{
    public static void Show(EditContext context, ValidationMessageStore messages, object model, RegistryFailure failure, out string? summary)
    {
        messages.Clear();
        summary = failure.Message;
        foreach (var (path, errors) in failure.Errors ?? [])
        {
            var property = PropertyFor(model, path);
            if (property is not null)
            {
                messages.Add(new FieldIdentifier(model, property), errors);
            }
            else
            {
                summary += " " + string.Join(" ", errors);
            }
        }
        context.NotifyValidationStateChanged();
    }

    // "lineage.commit" -> LineageCommit, "tags[1]" -> Tags, "key" -> Key: the input models flatten the request.
    private static string? PropertyFor(object model, string path)
    {
        var bracket = path.IndexOf('[');
        var cleaned = bracket >= 0 ? path[..bracket] : path;
        var name = string.Concat(cleaned.Split('.').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
        return model.GetType().GetProperty(name) is not null ? name : null;
    }
}
