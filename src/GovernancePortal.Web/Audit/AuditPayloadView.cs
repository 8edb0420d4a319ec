using System.Text.Json;

namespace GovernancePortal.Audit;

/// <summary>One changed field of an audited entity: what it was and what it became (either may be absent).</summary>
public sealed record PayloadChange(string Field, string? Before, string? After, bool HasBefore, bool HasAfter);

/// <summary>One named value of an event's details, nested names joined with dots.</summary>
public sealed record PayloadDetail(string Name, string Value);

/// <summary>
/// An audit payload (<c>{"changes":{field:{before,after}},"details":{…}}</c>, see <see cref="AuditPayload"/>) made readable:
/// a before/after table and the details as name/value pairs. The stored JSON stays one click away as <see cref="RawJson"/>.
/// </summary>
public sealed record AuditPayloadView(IReadOnlyList<PayloadChange> Changes, IReadOnlyList<PayloadDetail> Details, string RawJson, bool Readable)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static AuditPayloadView Parse(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            var raw = JsonSerializer.Serialize(root, Indented);
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new([], [], raw, false);
            }
            var changes = new List<PayloadChange>();
            var details = new List<PayloadDetail>();
            foreach (var member in root.EnumerateObject())
            {
                if (member.Name == "changes" && member.Value.ValueKind == JsonValueKind.Object)
                {
                    changes.AddRange(member.Value.EnumerateObject().Select(Change));
                }
                else if (member.Name == "details")
                {
                    Flatten(details, "", member.Value);
                }
                else
                {
                    Flatten(details, member.Name, member.Value);
                }
            }
            return new(changes, details, raw, true);
        }
        catch (JsonException)
        {
            // A damaged row is shown as stored; verification names it.
            return new([], [], payload, false);
        }
    }

    private static PayloadChange Change(JsonProperty field)
    {
        if (field.Value.ValueKind != JsonValueKind.Object)
        {
            return new(field.Name, null, Text(field.Value), false, true);
        }
        var hasBefore = field.Value.TryGetProperty("before", out var before);
        var hasAfter = field.Value.TryGetProperty("after", out var after);
        return new(field.Name, hasBefore ? Text(before) : null, hasAfter ? Text(after) : null, hasBefore, hasAfter);
    }

    private static void Flatten(List<PayloadDetail> into, string prefix, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Object && value.EnumerateObject().Any())
        {
            foreach (var member in value.EnumerateObject())
            {
                Flatten(into, prefix.Length == 0 ? member.Name : $"{prefix}.{member.Name}", member.Value);
            }
            return;
        }
        into.Add(new(prefix.Length == 0 ? "value" : prefix, Text(value)));
    }

    /// <summary>A value as a person reads it: strings without quotes (JSON inside a string indented), null as "none".</summary>
    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => "none",
        JsonValueKind.String => Embedded(value.GetString()!),
        JsonValueKind.Object or JsonValueKind.Array => JsonSerializer.Serialize(value, Indented),
        _ => value.GetRawText(),
    };

    // Cards and policies are stored as JSON text; a serialized document is easier to compare indented.
    private static string Embedded(string text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            try
            {
                using var inner = JsonDocument.Parse(text);
                return JsonSerializer.Serialize(inner.RootElement, Indented);
            }
            catch (JsonException)
            {
            }
        }
        return text;
    }
}
