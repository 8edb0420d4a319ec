using System.Text.Json;
using System.Text.Json.Serialization;

namespace GovernancePortal.Api;

/// <summary>
/// Strict JSON for the API: unknown and repeated members are refused, enums are names (not numbers), bodies are size-limited, and a
/// body that cannot be read comes back as a problem naming the field where reading stopped.
/// </summary>
public static class ApiJson
{
    public const int MaxBodyBytes = 256 * 1024;

    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        // The web defaults read "0.5" as a number; a pipeline that sends text where a number belongs has a bug to hear about.
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MaxDepth = 16;
        // {"name":"a","name":"b"} would otherwise keep the last; a proxy or signer that kept the first saw another request.
        options.AllowDuplicateProperties = false;
        return options;
    }

    public sealed record Body<T>(T? Value, IResult? Problem);

    public static async Task<Body<T>> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken) where T : class
    {
        if (!request.HasJsonContentType())
        {
            return new(null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Send JSON", detail: "The request body must be application/json."));
        }
        if (request.ContentLength > MaxBodyBytes)
        {
            return new(null, TooLarge());
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return new(null, TooLarge());
            }
            buffer.Write(chunk, 0, read);
        }
        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Options);
            return value is null
                ? new(null, Invalid("$", "The body must be a JSON object."))
                : new(value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "$" : ex.Path.TrimStart('$', '.');
            var message =
                ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "This member is not part of the request; check its spelling."
                : ex.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) ? "This member appears more than once; send it once."
                : ex.Message.Contains("is invalid after a value", StringComparison.Ordinal) || ex.Message.Contains("invalid start", StringComparison.Ordinal)
                    ? "The JSON is malformed here."
                : "This value has the wrong type or format.";
            return new(null, Invalid(field, message));
        }
        catch (NotSupportedException)
        {
            return new(null, Invalid("$", "The JSON could not be read."));
        }
    }

    private static IResult Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request body could not be read.");

    private static IResult TooLarge() => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "The request body is too large.", detail: $"Send at most {MaxBodyBytes / 1024} KiB.");
}
