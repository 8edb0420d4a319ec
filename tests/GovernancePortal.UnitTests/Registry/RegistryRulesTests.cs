using GovernancePortal.Identity;

namespace GovernancePortal.Registry;

public sealed class RegistryRulesTests
{
    private static readonly Caller Owner = new("owner@demo.test", [Roles.ModelOwner], "Credit Risk Analytics");
    private static readonly Caller Viewer = new("viewer@demo.test", [Roles.Viewer], "Retail Banking");

    private static VersionNumber V(string text) => VersionNumber.TryParse(text, out var v) ? v.Value : throw new ArgumentException(text);

    [Theory]
    [InlineData("credit-default-pd", true)]
    [InlineData("a", true)]
    [InlineData("m2", true)]
    [InlineData("-leading", false)]
    [InlineData("trailing-", false)]
    [InlineData("double--dash", false)]
    [InlineData("Upper", false)]
    [InlineData("with space", false)]
    [InlineData("ünïcode", false)]
    [InlineData("", false)]
    [InlineData("key\n", false)]
    [InlineData(null, false)]
    public void Model_keys_are_lowercase_slugs(string? key, bool valid) => Assert.Equal(valid, RegistryRules.IsValidKey(key));

    [Fact]
    public void A_key_longer_than_64_characters_is_refused()
    {
        Assert.True(RegistryRules.IsValidKey(new string('a', 64)));
        Assert.False(RegistryRules.IsValidKey(new string('a', 65)));
    }

    [Theory]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true)]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", true)]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", false)]
    [InlineData("g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false)]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b785", false)]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n", false)]
    public void Artifact_hashes_are_64_hex_digits(string value, bool valid) => Assert.Equal(valid, RegistryRules.IsValidSha256(value));

    [Theory]
    [InlineData("s3://bucket/model.tar.gz", true)]
    [InlineData("https://registry.example.com/m/1", true)]
    [InlineData("models:/credit/3", true)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("data:text/html,hi", false)]
    [InlineData("relative/path", false)]
    public void Artifact_uris_are_storage_locations(string value, bool valid) => Assert.Equal(valid, RegistryRules.IsArtifactUri(value));

    [Fact]
    public void A_model_owner_registers_for_themself_or_a_team_mate()
    {
        Assert.Null(RegistryRules.WhyCannotRegister(Owner, "owner@demo.test", "Credit Risk Analytics", "Credit Risk Analytics"));
        Assert.Null(RegistryRules.WhyCannotRegister(Owner, "mate@demo.test", "Credit Risk Analytics", "Credit Risk Analytics"));
    }

    [Theory]
    [InlineData("owner2@demo.test", "Clinical AI", "Credit Risk Analytics", "must be you or a member of your team")]
    [InlineData("owner@demo.test", "Credit Risk Analytics", "Clinical AI", "your own team")]
    [InlineData("ghost@demo.test", null, "Credit Risk Analytics", "not a person the portal knows")]
    public void A_model_owner_cannot_register_for_another_team(string owner, string? ownerTeam, string team, string reason) =>
        Assert.Contains(reason, RegistryRules.WhyCannotRegister(Owner, owner, ownerTeam, team));

    [Fact]
    public void Only_model_owners_register_or_edit()
    {
        Assert.Equal("Only model owners register models.", RegistryRules.WhyCannotRegister(Viewer, "viewer@demo.test", "Retail Banking", "Retail Banking"));
        Assert.Equal("Only model owners change models.", RegistryRules.WhyCannotEdit(Viewer, "viewer@demo.test", "Retail Banking"));
        Assert.NotNull(RegistryRules.WhyCannotEdit(new Caller("admin@demo.test", [Roles.Admin], "ML Platform"), "owner@demo.test", "Credit Risk Analytics"));
    }

    [Fact]
    public void Owners_and_their_team_edit_a_model_others_do_not()
    {
        Assert.Null(RegistryRules.WhyCannotEdit(Owner, "owner@demo.test", "Some Other Team"));
        Assert.Null(RegistryRules.WhyCannotEdit(Owner, "someone@demo.test", "Credit Risk Analytics"));
        Assert.Contains("only its owner and their team", RegistryRules.WhyCannotEdit(Owner, "owner2@demo.test", "Clinical AI"));
    }

    [Theory]
    [InlineData("owner@demo.test", Roles.ModelOwner, "Credit Risk Analytics", true)]
    [InlineData("someone@demo.test", Roles.ModelOwner, "Credit Risk Analytics", true)]
    [InlineData("owner2@demo.test", Roles.ModelOwner, "Clinical AI", false)]
    [InlineData("admin@demo.test", Roles.Admin, null, true)]
    [InlineData("owner@demo.test", Roles.Viewer, "Credit Risk Analytics", false)]
    [InlineData("compliance@demo.test", Roles.ComplianceOfficer, "Model Risk", false)]
    [InlineData("auditor@demo.test", Roles.Auditor, null, false)]
    public void A_models_details_are_edited_by_its_owner_their_team_and_admins(string username, string role, string? team, bool allowed)
    {
        var refusal = RegistryRules.WhyCannotEditDetails(new Caller(username, [role], team), "owner@demo.test", "Credit Risk Analytics");

        Assert.Equal(allowed, refusal is null);
        if (!allowed)
        {
            Assert.Contains(role == Roles.ModelOwner ? "only its owner and their team" : "owner, their team and platform admins", refusal);
        }
    }

    [Theory]
    [InlineData("1.2.0", ChangeKind.IncompatibleDataChange, "2.0.0")]
    [InlineData("1.2.0", ChangeKind.ImprovedModel, "1.3.0")]
    [InlineData("1.2.0", ChangeKind.PipelineChange, "1.2.1")]
    public void The_next_version_follows_the_highest_by_change_kind(string highest, ChangeKind kind, string next)
    {
        var existing = new[] { V("1.0.0"), V(highest), V("1.1.0") };

        Assert.Null(RegistryRules.WhyWrongVersion(existing, V(next), kind));
    }

    [Fact]
    public void A_wrong_number_says_what_was_expected()
    {
        var existing = new[] { V("1.9.0"), V("1.10.0") };

        Assert.Equal("Expected 1.11.0: an improved model after 1.10.0 moves MINOR and resets PIPELINE.",
            RegistryRules.WhyWrongVersion(existing, V("1.10.1"), ChangeKind.ImprovedModel));
        Assert.Equal("Version 1.9.0 is already registered.", RegistryRules.WhyWrongVersion(existing, V("1.9.0"), ChangeKind.PipelineChange));
    }

    [Fact]
    public void A_first_version_may_carry_any_valid_number() =>
        Assert.Null(RegistryRules.WhyWrongVersion([], V("0.3.0"), ChangeKind.PipelineChange));

    [Fact]
    public void Zero_zero_zero_is_no_first_version() =>
        Assert.Equal("0.0.0 is not a version number; start at 0.0.1, 0.1.0 or 1.0.0.",
            RegistryRules.WhyWrongVersion([], V("0.0.0"), ChangeKind.IncompatibleDataChange));
}
