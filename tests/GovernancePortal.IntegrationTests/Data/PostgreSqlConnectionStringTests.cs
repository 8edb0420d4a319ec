using Npgsql;

namespace GovernancePortal.Data;

public sealed class PostgreSqlConnectionStringTests
{
    [Fact]
    public void Automatic_preparation_is_on_when_the_connection_string_does_not_say()
    {
        var effective = new NpgsqlConnectionStringBuilder(DataServices.PostgreSqlConnectionString("Host=db;Database=governance;Username=portal"));

        Assert.Equal(64, effective.MaxAutoPrepare);
        Assert.Equal(("db", "governance", "portal"), (effective.Host, effective.Database, effective.Username));
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;MaxAutoPrepare=10", 10)]
    [InlineData("Host=db;max auto prepare=7", 7)]
    public void A_connection_string_that_sets_automatic_preparation_is_left_as_it_is(string given, int expected)
    {
        var effective = DataServices.PostgreSqlConnectionString(given);

        Assert.Equal(given, effective);
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(effective).MaxAutoPrepare);
    }
}
