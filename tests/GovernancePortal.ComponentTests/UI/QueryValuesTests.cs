using GovernancePortal.Querying;
using GovernancePortal.Registry;

namespace GovernancePortal.UI;

public sealed class QueryValuesTests
{
    [Theory]
    [InlineData("7", 7)]
    [InlineData("-3", -3)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("99999999999", null)]
    [InlineData("1.5", null)]
    [InlineData("1,000", null)]
    [InlineData(" 7", null)]
    [InlineData("abc", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Int_reads_only_a_whole_number_that_fits(string? text, int? expected) => Assert.Equal(expected, QueryValues.Int(text));

    [Theory]
    [InlineData("true", true)]
    [InlineData("False", false)]
    [InlineData("1", null)]
    [InlineData("yes", null)]
    [InlineData(null, null)]
    public void Bool_reads_true_or_false(string? text, bool? expected) => Assert.Equal(expected, QueryValues.Bool(text));

    [Fact]
    public void Guid_reads_an_id_and_nothing_else()
    {
        var id = Guid.NewGuid();

        Assert.Equal(id, QueryValues.Guid(id.ToString()));
        Assert.Null(QueryValues.Guid("not-a-guid"));
        Assert.Null(QueryValues.Guid(id.ToString()[..^1]));
        Assert.Null(QueryValues.Guid(null));
    }

    [Theory]
    [InlineData("Production", Stage.Production)]
    [InlineData("staging", Stage.Staging)]
    [InlineData("Nowhere", null)]
    [InlineData("99", null)]
    [InlineData("Staging,Production", null)]
    [InlineData(null, null)]
    public void Enum_reads_a_named_member_ignoring_case(string? text, Stage? expected) => Assert.Equal(expected, QueryValues.Enum<Stage>(text));
}
