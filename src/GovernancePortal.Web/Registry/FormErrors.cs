using Microsoft.AspNetCore.Components.Forms;

namespace GovernancePortal.Registry;

/// <summary>Puts a command's field errors (keyed by JSON path, e.g. "lineage.commit") beside the matching form fields.</summary>
public static class FormErrors
{
    /// <summary>
    /// Replaces the server's messages in <paramref name="messages"/> with <paramref name="failure"/>'s; returns what belongs
    /// to no field of <paramref name="model"/> (the failure's message when it names no field), null when every error found its field.
    /// </summary>
    public static string? Show(EditContext context, ValidationMessageStore messages, object model, Failure failure)
    {
        messages.Clear();
        var unplaced = new List<string>();
        foreach (var (path, errors) in failure.Errors ?? [])
        {
            if (PropertyFor(model, path) is { } property)
            {
                messages.Add(new FieldIdentifier(model, property), errors);
            }
            else
            {
                unplaced.AddRange(errors);
            }
        }
        context.NotifyValidationStateChanged();
        return failure.Errors is not { Count: > 0 } ? failure.Message : unplaced.Count > 0 ? string.Join(" ", unplaced) : null;
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
