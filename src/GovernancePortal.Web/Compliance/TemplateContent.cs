using System.Security.Cryptography;
using System.Text;
using GovernancePortal.Audit;

namespace GovernancePortal.Compliance;

/// <summary>A template's content in canonical JSON, hashed: equal hashes mean equal templates, whatever the YAML layout.</summary>
public static class TemplateContent
{
    public static string Sha256(ChecklistTemplate template)
    {
        var content = new
        {
            template.Id,
            template.Version,
            template.Title,
            template.Authority,
            appliesWhen = template.AppliesWhen.ToString(),
            template.AppliesBecause,
            items = template.Items.Select(i => new
            {
                i.Id, i.Text, i.Guidance, i.Citation, evidence = i.Evidence.ToString(), obligation = i.Obligation?.ToString(),
                appliesWhen = i.AppliesWhen?.ToString(),
            }),
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson.Serialize(content))));
    }
}
