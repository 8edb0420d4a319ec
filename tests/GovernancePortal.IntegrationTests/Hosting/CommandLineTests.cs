namespace GovernancePortal.Hosting;

public sealed class CommandLineTests
{
    [Fact]
    public void No_arguments_means_serve()
    {
        var parsed = CommandLine.Parse([]);

        Assert.False(parsed.HasCommand);
        Assert.Empty(parsed.HostArguments);
    }

    [Fact]
    public void Command_words_and_their_options_are_separated_from_host_arguments()
    {
        var parsed = CommandLine.Parse(["apikey", "create", "--user", "owner@demo.test", "--urls", "http://127.0.0.1:6000", "--name", "ci", "--environment=Production"]);

        Assert.Equal(["apikey", "create"], parsed.Command);
        Assert.Equal("owner@demo.test", parsed.Options["user"]);
        Assert.Equal("ci", parsed.Options["name"]);
        Assert.Equal(["--urls", "http://127.0.0.1:6000", "--environment=Production"], parsed.HostArguments);
    }
}
