using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;

namespace GovernancePortal.Audit;

/// <summary>
/// An audit event's payload as canonical JSON (RFC 8785, <see cref="CanonicalJson"/>): <c>{"changes":{…},"details":…}</c>,
/// where changes holds an entity's tracked values (added: after; deleted: before; modified: the changed properties,
/// before and after) under camel-case names, and details the caller's object as System.Text.Json's web defaults
/// serialize it. Written straight to text, members already in canonical order, with each entity type's property
/// names and redactions looked up once: every audited save builds one, so it must not cost more than the save.
/// </summary>
internal static class AuditPayload
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);
    private static readonly ConcurrentDictionary<IEntityType, PropertyShape[]> Shapes = new();

    /// <summary>Property of an entity type as the payload names it.</summary>
    private sealed record PropertyShape(IProperty Property, string Name, bool Redacted);

    public static string For(EntityEntry? entry, object? details)
    {
        var json = new StringBuilder(512);
        json.Append('{');
        var changes = entry is null ? false : Changes(json, entry);
        if (details is not null)
        {
            json.Append(changes ? ",\"details\":" : "\"details\":");
            CanonicalJson.Write(json, JsonSerializer.SerializeToElement(details, details.GetType(), PayloadJson));
        }
        json.Append('}');
        return json.ToString();
    }

    private static bool Changes(StringBuilder json, EntityEntry entry)
    {
        var start = json.Length;
        json.Append("\"changes\":{");
        var any = false;
        foreach (var shape in Shapes.GetOrAdd(entry.Metadata, Shape))
        {
            var property = entry.Property(shape.Property);
            var (after, before) = entry.State switch
            {
                EntityState.Added => (true, false),
                EntityState.Deleted => (false, true),
                EntityState.Modified when property.IsModified && !Equals(property.OriginalValue, property.CurrentValue) => (true, true),
                _ => (false, false),
            };
            if (!after && !before)
            {
                continue;
            }
            Member(json, ref any, shape.Name);
            // "after" sorts before "before", as canonical order requires.
            json.Append('{');
            if (after)
            {
                json.Append("\"after\":");
                Value(json, property.CurrentValue, shape.Redacted);
            }
            if (before)
            {
                json.Append(after ? ",\"before\":" : "\"before\":");
                Value(json, property.OriginalValue, shape.Redacted);
            }
            json.Append('}');
        }
        if (!any)
        {
            json.Length = start;
            return false;
        }
        json.Append('}');
        return true;
    }

    private static void Member(StringBuilder json, ref bool any, string name)
    {
        if (any)
        {
            json.Append(',');
        }
        any = true;
        CanonicalJson.WriteString(json, name);
        json.Append(':');
    }

    // Canonical member order is by UTF-16 code units of the names, the order of an ordinal sort.
    private static PropertyShape[] Shape(IEntityType type)
    {
        PropertyShape[] shapes =
        [
            .. type.GetProperties()
                .Select(p => new PropertyShape(p, JsonNamingPolicy.CamelCase.ConvertName(p.Name),
                    p.PropertyInfo?.GetCustomAttribute<AuditRedactedAttribute>() is not null))
                .OrderBy(p => p.Name, StringComparer.Ordinal),
        ];
        for (var i = 1; i < shapes.Length; i++)
        {
            if (shapes[i].Name == shapes[i - 1].Name)
            {
                throw new InvalidOperationException($"{type.ClrType.Name} has two properties named '{shapes[i].Name}' in camel case; an audit payload cannot tell them apart.");
            }
        }
        return shapes;
    }

    // The common value types written directly, as serializing them and canonicalizing the result would; anything
    // else (decimal, float, collections, owned values) goes that longer way.
    private static void Value(StringBuilder json, object? value, bool redacted)
    {
        if (redacted)
        {
            json.Append("\"[redacted]\"");
            return;
        }
        switch (value)
        {
            case null:
                json.Append("null");
                break;
            case string text:
                CanonicalJson.WriteString(json, text);
                break;
            case bool flag:
                json.Append(flag ? "true" : "false");
                break;
            case Enum e:
                CanonicalJson.WriteString(json, e.ToString());
                break;
            case DateTimeOffset d:
                CanonicalJson.WriteString(json, d.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                break;
            case Guid id:
                json.Append('"').Append(id.ToString("D")).Append('"');
                break;
            case int or long or short or byte or sbyte or ushort or uint:
                json.Append(CanonicalJson.FormatNumber(Convert.ToDouble(value, CultureInfo.InvariantCulture)));
                break;
            case double number:
                json.Append(CanonicalJson.FormatNumber(number));
                break;
            default:
                CanonicalJson.Write(json, JsonSerializer.SerializeToElement(value, value.GetType(), PayloadJson));
                break;
        }
    }
}
