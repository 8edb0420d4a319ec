using System.Diagnostics;
using GovernancePortal.Testing;

namespace GovernancePortal.Hosting;

/// <summary>The portal's executable as an operator runs it. SQLite only: these test the process, not the provider.</summary>
public sealed class CommandLineProcessTests : IDisposable
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), "governance-tests", $"cli-{Guid.NewGuid():N}.db");
    private readonly string _keyFile = CreateKeyFile();

    private static string CreateKeyFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "governance-tests", $"cli-key-{Guid.NewGuid():N}.pem");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var key = Audit.CheckpointSigner.CreateKey();
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        return path;
    }

    [Fact]
    public async Task Development_sign_in_refuses_to_start_in_production_and_says_why()
    {
        var result = await RunAsync("Production", [], ("Authentication__DevelopmentSignIn", "true"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Development sign-in (Authentication:DevelopmentSignIn=true) is refused in the 'Production' environment", result.Error);
    }

    [Fact]
    public async Task Without_any_sign_in_method_the_portal_refuses_to_start()
    {
        var result = await RunAsync("Production", []);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("No sign-in is configured", result.Error);
    }

    private static readonly (string, string)[] EntraSettings =
    [
        ("AzureAd__TenantId", "7a1c2f4e-0d5b-4c1e-9a51-6f0f9e3c2b10"),
        ("AzureAd__ClientId", "3f6a9c2e-8b1d-4e7a-a2c4-5d9e0f1b7c38"),
    ];

    private static readonly (string, string)[] SecretSettings =
        [("AzureAd__ClientCredentials__0__SourceType", "ClientSecret"), ("AzureAd__ClientCredentials__0__ClientSecret", "s3cret-value")];

    [Fact]
    public async Task Entra_without_a_client_credential_refuses_to_start_and_says_why()
    {
        var result = await RunAsync("Production", [], [.. EntraSettings, KeySetting]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Entra ID sign-in (AzureAd) has no client credential", result.Error);
        Assert.DoesNotContain("does not include", result.Error);
    }

    [Fact]
    public async Task An_Entra_instance_over_plain_http_is_refused_outside_development()
    {
        var result = await RunAsync("Production", [],
            [.. EntraSettings, .. SecretSettings, KeySetting, ("AzureAd__Instance", "http://login.example.test/")]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("AzureAd:Instance must be an https address in the 'Production' environment", result.Error);
        Assert.DoesNotContain("s3cret-value", result.Error + result.Output);
    }

    [Fact]
    public async Task With_Entra_configured_production_starts_and_never_prints_the_secret()
    {
        Assert.Equal(0, (await RunAsync("Production", ["migrate"])).ExitCode);

        HttpResponseMessage? script = null;
        var (started, output) = await RunUntilListeningAsync("Production",
            [.. EntraSettings, .. SecretSettings, KeySetting, ("Urls", "http://127.0.0.1:0")],
            async address =>
            {
                using var http = new HttpClient { BaseAddress = new Uri(address) };
                script = await http.GetAsync("/_framework/blazor.web.js");
            });

        Assert.True(started, output);
        Assert.DoesNotContain("will not start", output);
        Assert.DoesNotContain("s3cret-value", output);
        // Interactive pages need the framework script; run from bin/ (not published) in Production it is found only
        // through the static web assets manifest (UseStaticWebAssets in Program.cs), or it answers 500.
        Assert.Equal(System.Net.HttpStatusCode.OK, script?.StatusCode);
        Assert.Equal("text/javascript", script!.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Starts the portal, waits until it listens (or exits), calls <paramref name="whileListening"/> with its address, then stops it.</summary>
    private async Task<(bool Started, string Output)> RunUntilListeningAsync(string environment, (string Name, string Value)[] settings,
        Func<string, Task>? whileListening = null)
    {
        var start = StartInfo(environment, []);
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var listening = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? address = null;
        void OnLine(string? line)
        {
            lock (output) { output.AppendLine(line); }
            // Production logs JSON lines, so the address is read up to the closing quote.
            if (line is not null && System.Text.RegularExpressions.Regex.Match(line, "Now listening on: (http://[^\\s\"]+)") is { Success: true } match)
            {
                address = match.Groups[1].Value;
                listening.TrySetResult(true);
            }
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetResult(false);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = await listening.Task.WaitAsync(TimeSpan.FromMinutes(1));
        if (started && whileListening is not null)
        {
            await whileListening(address!);
        }
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        lock (output) { return (started, output.ToString()); }
    }

    [Fact]
    public async Task Migrate_seed_demo_and_apikey_create_work_from_the_command_line()
    {
        var migrate = await RunAsync("Production", ["migrate"]);
        Assert.True(migrate.ExitCode == 0, migrate.Error);

        var seed = await RunAsync("Production", ["seed-demo"]);
        Assert.True(seed.ExitCode == 0, seed.Error);
        Assert.Contains("12 model(s) added", seed.Output);

        var again = await RunAsync("Production", ["seed-demo"]);
        Assert.Contains("0 model(s) added", again.Output);

        var key = await RunAsync("Production", ["apikey", "create", "--user", "owner@demo.test", "--name", "ci-pipeline"]);
        Assert.True(key.ExitCode == 0, key.Error);
        Assert.Matches("^gp_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$", key.Output.Trim());
        Assert.Contains("not shown again", key.Error);
    }

    [Fact]
    public async Task Commands_that_write_events_leave_every_event_under_a_signed_checkpoint()
    {
        var seed = await RunAsync("Production", ["seed-demo"], KeySetting);
        Assert.True(seed.ExitCode == 0, seed.Error);
        Assert.Equal(await HeadAsync(), await CoveredAsync());

        var key = await RunAsync("Production", ["apikey", "create", "--user", "owner@demo.test", "--name", "ci"], KeySetting);
        Assert.True(key.ExitCode == 0, key.Error);
        Assert.Equal(await HeadAsync(), await CoveredAsync());
    }

    private Task<long> HeadAsync() => ScalarAsync("""SELECT "Sequence" FROM "AuditHeads" """);

    private Task<long> CoveredAsync() => ScalarAsync("""SELECT COALESCE(MAX("TreeSize"), 0) FROM "AuditCheckpoints" """);

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_database}");
        await connection.OpenAsync();
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Apikey_create_for_an_unknown_user_fails_with_a_message()
    {
        await RunAsync("Production", ["migrate"]);

        var result = await RunAsync("Production", ["apikey", "create", "--user", "nobody@demo.test", "--name", "x"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No user 'nobody@demo.test' is known", result.Error);
    }

    [Fact]
    public async Task Audit_verify_exits_0_on_an_intact_trail_and_1_with_the_first_bad_event_on_a_tampered_one()
    {
        await RunAsync("Production", ["seed-demo"], KeySetting);
        var checkpoint = await RunAsync("Production", ["audit", "checkpoint"], KeySetting);
        Assert.True(checkpoint.ExitCode == 0, checkpoint.Error);

        var intact = await RunAsync("Production", ["audit", "verify"], KeySetting);
        Assert.Equal(0, intact.ExitCode);
        Assert.StartsWith("valid: ", intact.Output);

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_database}"))
        {
            await connection.OpenAsync();
            var command = connection.CreateCommand();
            command.CommandText = """
                DROP TRIGGER "AuditEvents_refuse_update";
                UPDATE "AuditEvents" SET "EntityId" = 'someone-else' WHERE "Sequence" = 7;
                """;
            await command.ExecuteNonQueryAsync();
        }
        var tampered = await RunAsync("Production", ["audit", "verify"], KeySetting);

        Assert.Equal(1, tampered.ExitCode);
        Assert.Equal("invalid: event 7: payload altered (stored hash does not match its content)", tampered.Output.Trim());
    }

    [Fact]
    public async Task Audit_verify_names_the_witness_mismatch_when_checkpoints_and_the_newest_events_are_removed()
    {
        var witness = Path.Combine(Path.GetTempPath(), "governance-tests", $"cli-witness-{Guid.NewGuid():N}");
        var witnessSetting = ("Audit__Witness__Directory", witness);
        try
        {
            await RunAsync("Production", ["seed-demo"], KeySetting, witnessSetting);
            var checkpoint = await RunAsync("Production", ["audit", "checkpoint"], KeySetting, witnessSetting);
            Assert.True(checkpoint.ExitCode == 0, checkpoint.Error);
            Assert.NotEmpty(Directory.GetFiles(witness));

            long head;
            await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_database}"))
            {
                await connection.OpenAsync();
                var command = connection.CreateCommand();
                command.CommandText = """
                    DROP TRIGGER "AuditEvents_refuse_delete";
                    DROP TRIGGER "AuditCheckpoints_refuse_delete";
                    DROP TRIGGER "AuditHeads_refuse_rewind";
                    DELETE FROM "AuditCheckpoints";
                    DELETE FROM "AuditEvents" WHERE "Sequence" > (SELECT MAX("Sequence") - 5 FROM "AuditEvents");
                    UPDATE "AuditHeads" SET ("Sequence", "Hash") = (SELECT "Sequence", "Hash" FROM "AuditEvents" ORDER BY "Sequence" DESC LIMIT 1);
                    SELECT "Sequence" FROM "AuditHeads";
                    """;
                head = (long)(await command.ExecuteScalarAsync())!;
            }
            var tampered = await RunAsync("Production", ["audit", "verify"], KeySetting, witnessSetting);

            Assert.Equal(1, tampered.ExitCode);
            Assert.StartsWith($"invalid: event {head + 1}: missing; the witness holds a checkpoint of {head + 5} events", tampered.Output.Trim());
        }
        finally
        {
            if (Directory.Exists(witness))
            {
                Directory.Delete(witness, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Audit_verify_proof_checks_a_proof_file_offline()
    {
        var result = await RunAsync("Production", ["audit", "verify-proof", Path.Combine(Path.GetTempPath(), "no-such-proof.json")], KeySetting);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("invalid: no file", result.Output);
    }

    private (string, string) KeySetting => ("Audit__CheckpointKeyFile", _keyFile);

    [Fact]
    public async Task Without_a_checkpoint_signing_key_production_refuses_to_start()
    {
        var result = await RunAsync("Production", [], ("Authentication__DevelopmentSignIn", "false"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("No audit checkpoint signing key is configured", result.Error);
    }

    [Fact]
    public async Task An_unknown_command_prints_usage_and_fails()
    {
        var result = await RunAsync("Production", ["frobnicate"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Usage:", result.Error);
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(string environment, string[] args, params (string Name, string Value)[] settings)
    {
        var start = StartInfo(environment, args);
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private ProcessStartInfo StartInfo(string environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(PortalDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["ConnectionStrings__Governance"] = $"Data Source={_database}";
        start.Environment["Database__Provider"] = "Sqlite";
        return start;
    }

    private static string PortalDll
    {
        get
        {
            // The web project's own output, built with the same configuration as these tests.
            var configuration = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)))!;
            var path = Path.Combine(RepositoryPaths.Root, "src", "GovernancePortal.Web", "bin", configuration, "net10.0", "GovernancePortal.Web.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build the web project first.", path);
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm", _keyFile })
        {
            File.Delete(file);
        }
    }
}
