using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Audit;

/// <summary>The filtered audit trail as CSV (RFC 4180, CsvHelper) or JSON Lines, streamed in sequence order.</summary>
public static class AuditExport
{
    public const string CsvContentType = "text/csv; charset=utf-8";
    public const string JsonLinesContentType = "application/x-ndjson; charset=utf-8";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public sealed record Row(
        long Sequence, DateTimeOffset Timestamp, string ActorOid, string ActorUsername, string ActorRoles, string? ActorApiKey,
        string Action, string EntityType, string EntityId, string Payload, string? CorrelationId, string? ClientAddress,
        string PreviousHash, string Hash);

    private static readonly string[] CsvHeader =
    [
        "sequence", "timestamp", "actorOid", "actorUsername", "actorRoles", "actorApiKey", "action", "entityType", "entityId",
        "payload", "correlationId", "clientAddress", "previousHash", "hash",
    ];

    public static async Task WriteCsvAsync(IQueryable<AuditEvent> events, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
        await using var csv = CsvWriter.Create(writer, CsvWriterOptions.Default, leaveOpen: true);
        csv.WriteHeader(CsvHeader);
        await foreach (var row in Rows(events).WithCancellation(cancellationToken))
        {
            await csv.WriteRecordAsync(
            [
                row.Sequence.ToString(CultureInfo.InvariantCulture), row.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                row.ActorOid, row.ActorUsername, row.ActorRoles, row.ActorApiKey ?? "", row.Action, row.EntityType, row.EntityId,
                row.Payload, row.CorrelationId ?? "", row.ClientAddress ?? "", row.PreviousHash, row.Hash,
            ], cancellationToken);
        }
        await csv.FlushAsync(cancellationToken);
    }

    public static async Task WriteJsonLinesAsync(IQueryable<AuditEvent> events, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
        await foreach (var row in Rows(events).WithCancellation(cancellationToken))
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(row, Json));
        }
    }

    private static IAsyncEnumerable<Row> Rows(IQueryable<AuditEvent> events) =>
        events.OrderBy(e => e.Sequence).Select(e => new Row(e.Sequence, e.Timestamp, e.ActorOid, e.ActorUsername, e.ActorRoles,
            e.ActorApiKey, e.Action, e.EntityType, e.EntityId, e.Payload, e.CorrelationId, e.ClientAddress, e.PreviousHash, e.Hash))
            .AsAsyncEnumerable();
}
