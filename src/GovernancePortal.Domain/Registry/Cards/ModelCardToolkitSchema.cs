using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GovernancePortal.Registry;

// The Model Card Toolkit JSON schema v0.0.2 (model_card_toolkit/schema/v0.0.2/model_card.schema.json), names
// in snake_case through the naming policy. Every field of the schema is declared, including those the portal does
// not map, so that a genuine MCT file reads without unknown-field errors. The root rejects unknown fields, as the
// schema's "additionalProperties": false does; nested objects keep theirs in Other, to report them as ignored.
//
// Uncertainty: v0.0.2 changed while MCT was developed. Early revisions typed performance_metric.value as a number
// and had no confidence_interval or threshold; MCT 1.x/2.x use strings for value, threshold and the bounds. Reading
// accepts a number or a string for each; writing uses strings, as the later toolkit does. Early revisions also
// named model_details "license" and "citation"; those older names are not read.

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class MctModelCard
{
    public string? SchemaVersion { get; set; }
    public MctModelDetails? ModelDetails { get; set; }
    public MctModelParameters? ModelParameters { get; set; }
    public MctQuantitativeAnalysis? QuantitativeAnalysis { get; set; }
    public MctConsiderations? Considerations { get; set; }
}

internal abstract class MctObject
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

internal sealed class MctModelDetails : MctObject
{
    public string? Name { get; set; }
    public string? Overview { get; set; }
    public string? Documentation { get; set; }
    public List<MctOwner?>? Owners { get; set; }
    public MctVersion? Version { get; set; }
    public List<MctLicense?>? Licenses { get; set; }
    public List<MctReference?>? References { get; set; }
    public List<MctCitation?>? Citations { get; set; }
    public string? Path { get; set; }
}

internal sealed class MctOwner : MctObject
{
    public string? Name { get; set; }
    public string? Contact { get; set; }
}

internal sealed class MctVersion : MctObject
{
    public string? Name { get; set; }
    public string? Date { get; set; }
    public string? Diff { get; set; }
}

internal sealed class MctLicense : MctObject
{
    public string? Identifier { get; set; }
    public string? CustomText { get; set; }
}

internal sealed class MctReference : MctObject
{
    public string? Reference { get; set; }
}

internal sealed class MctCitation : MctObject
{
    public string? Style { get; set; }
    public string? Citation { get; set; }
}

internal sealed class MctModelParameters : MctObject
{
    public string? ModelArchitecture { get; set; }
    public List<MctDataset?>? Data { get; set; }
    public string? InputFormat { get; set; }
    public List<MctKeyValue?>? InputFormatMap { get; set; }
    public string? OutputFormat { get; set; }
    public List<MctKeyValue?>? OutputFormatMap { get; set; }
}

internal sealed class MctKeyValue : MctObject
{
    public string? Key { get; set; }
    public string? Value { get; set; }
}

internal sealed class MctDataset : MctObject
{
    public string? Name { get; set; }
    public string? Link { get; set; }
    public MctSensitiveData? Sensitive { get; set; }
    public MctGraphicsCollection? Graphics { get; set; }
    public string? Description { get; set; }
}

internal sealed class MctSensitiveData : MctObject
{
    public List<string?>? SensitiveData { get; set; }
}

internal sealed class MctGraphicsCollection : MctObject
{
    public string? Description { get; set; }
    public List<MctGraphic?>? Collection { get; set; }
}

internal sealed class MctGraphic : MctObject
{
    public string? Name { get; set; }
    public string? Image { get; set; }
}

internal sealed class MctQuantitativeAnalysis : MctObject
{
    public List<MctPerformanceMetric?>? PerformanceMetrics { get; set; }
    public MctGraphicsCollection? Graphics { get; set; }
}

internal sealed class MctPerformanceMetric : MctObject
{
    public string? Type { get; set; }

    [JsonConverter(typeof(MctNumberOrStringConverter))]
    public string? Value { get; set; }

    public MctConfidenceInterval? ConfidenceInterval { get; set; }

    [JsonConverter(typeof(MctNumberOrStringConverter))]
    public string? Threshold { get; set; }

    public string? Slice { get; set; }
}

internal sealed class MctConfidenceInterval : MctObject
{
    [JsonConverter(typeof(MctNumberOrStringConverter))]
    public string? LowerBound { get; set; }

    [JsonConverter(typeof(MctNumberOrStringConverter))]
    public string? UpperBound { get; set; }
}

internal sealed class MctConsiderations : MctObject
{
    public List<MctDescription?>? Users { get; set; }
    public List<MctDescription?>? UseCases { get; set; }
    public List<MctDescription?>? Limitations { get; set; }
    public List<MctDescription?>? Tradeoffs { get; set; }
    public List<MctRisk?>? EthicalConsiderations { get; set; }
}

internal sealed class MctDescription : MctObject
{
    public string? Description { get; set; }
}

internal sealed class MctRisk : MctObject
{
    public string? Name { get; set; }
    public string? MitigationStrategy { get; set; }
}

/// <summary>Reads a JSON number or string as its text; writes a string.</summary>
internal sealed class MctNumberOrStringConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => reader.TryGetDouble(out var number)
                ? number.ToString("R", CultureInfo.InvariantCulture)
                : throw new JsonException("The number is out of range."),
            _ => throw new JsonException("Expected a number or a string."),
        };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}
