using System.Text;
using System.Text.Json.Nodes;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Registry;

/// <summary>Valid registry requests to start from, and an API client to send them with.</summary>
public static class RegistryTestData
{
    public const string Sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    public static Task<HttpClient> ApiClientAsync(PortalFactory portal, string username) => TestApiKeys.ClientAsync(portal, username, "registry-tests");

    public static JsonObject ModelBody(string key) => new()
    {
        ["key"] = key,
        ["name"] = "Loan pricing",
        ["description"] = "Suggests a rate band for personal loans.",
        ["owner"] = "owner@demo.test",
        ["businessOwner"] = "Head of Lending",
        ["team"] = "Credit Risk Analytics",
        ["useCase"] = "Pricing",
        ["riskTier"] = "high",
        ["dataCategories"] = new JsonArray("personalData"),
        ["tags"] = new JsonArray("pricing", "lending"),
    };

    public static JsonObject VersionBody(string version, string changeKind, string? parent = null) => new()
    {
        ["version"] = version,
        ["changeKind"] = changeKind,
        ["changeReason"] = "Retrained on Q3 data.",
        ["artifactUri"] = $"s3://ml-artifacts/loan-pricing/{version}/model.tar.gz",
        ["artifactSha256"] = Sha,
        ["lineage"] = new JsonObject
        {
            ["codeRepository"] = "https://git.example.com/ml/loan-pricing",
            ["commit"] = "0a1b2c3d4e5f",
            ["dataSnapshotId"] = "loans-2026q3",
            ["dataSnapshotHash"] = "sha256:abc",
            ["pipelineRunId"] = "run-42",
            ["pipelineRunUrl"] = "https://ci.example.com/runs/42",
            ["parentVersion"] = parent,
            ["environmentDigest"] = "sha256:def",
        },
        ["metrics"] = new JsonArray(
            new JsonObject { ["name"] = "auc", ["value"] = 0.81, ["dataset"] = "holdout", ["threshold"] = 0.75, ["higherIsBetter"] = true },
            new JsonObject { ["name"] = "auc", ["value"] = 0.78, ["dataset"] = "holdout", ["slice"] = "age<25", ["threshold"] = 0.75 }),
    };

}
