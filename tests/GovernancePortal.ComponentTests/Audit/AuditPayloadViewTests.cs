namespace GovernancePortal.Audit;

public sealed class AuditPayloadViewTests
{
    [Fact]
    public void Changes_become_before_and_after_pairs_and_details_name_value_pairs()
    {
        var view = AuditPayloadView.Parse("""
            {"changes":{"description":{"after":"new","before":"old"},"id":{"after":"x"},"retired":{"before":true}},"details":{"model":"credit-default-pd","filters":{"from":null}}}
            """);

        Assert.True(view.Readable);
        Assert.Equal(new PayloadChange("description", "old", "new", true, true), view.Changes[0]);
        Assert.Equal(new PayloadChange("id", null, "x", false, true), view.Changes[1]);
        Assert.Equal(new PayloadChange("retired", "true", null, true, false), view.Changes[2]);
        Assert.Equal([new PayloadDetail("model", "credit-default-pd"), new PayloadDetail("filters.from", "none")], view.Details);
        Assert.Contains("\"before\": \"old\"", view.RawJson);
    }

    [Fact]
    public void Json_kept_as_text_is_shown_indented_so_before_and_after_compare_line_by_line()
    {
        var view = AuditPayloadView.Parse("""{"changes":{"content":{"after":"{\"overview\":\"Scores é\",\"uses\":[1,2]}"}}}""");

        Assert.Equal("{\n  \"overview\": \"Scores é\",\n  \"uses\": [\n    1,\n    2\n  ]\n}", view.Changes[0].After!.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_damaged_payload_is_shown_as_stored()
    {
        var view = AuditPayloadView.Parse("{not json");

        Assert.False(view.Readable);
        Assert.Equal("{not json", view.RawJson);
        Assert.Empty(view.Changes);
    }
}
