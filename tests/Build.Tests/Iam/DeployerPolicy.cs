using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Iam;

/// <summary>
/// iam/deployer-policy.json as a user renders it (envsubst of its five placeholders) and IAM's matching of an action
/// against a statement's Action list: case-insensitive, '*' any run of characters, '?' one character (IAM User Guide,
/// "IAM JSON policy elements: Action").
/// </summary>
public sealed partial class DeployerPolicy
{
    public const string File = "iam/deployer-policy.json";

    /// <summary>The placeholders a user substitutes, with the values the tests render.</summary>
    public static readonly IReadOnlyDictionary<string, string> SampleValues = new Dictionary<string, string>
    {
        ["ACCOUNT_ID"] = "123456789012",
        ["REGION"] = "eu-west-1",
        ["ENVIRONMENT"] = "production",
        ["IMAGE_PREFIX"] = "jenkins-ecs",
        ["ADMIN_SECRET_ARN"] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:production/jenkins/admin-password-AbCdEf",
    };

    private DeployerPolicy(string template, JsonObject rendered)
    {
        Template = template;
        Rendered = rendered;
    }

    public string Template { get; }

    public JsonObject Rendered { get; }

    public IEnumerable<JsonObject> Statements => Rendered["Statement"]!.AsArray().OfType<JsonObject>();

    /// <summary>Statements that apply to a call the build itself sends (no aws:CalledVia condition).</summary>
    public IEnumerable<JsonObject> DirectStatements => Statements.Where(s => !CalledViaCloudFormation(s));

    /// <summary>Statements that apply only to calls CloudFormation makes with the caller's credentials.</summary>
    public IEnumerable<JsonObject> ThroughCloudFormationStatements => Statements.Where(CalledViaCloudFormation);

    public static DeployerPolicy Load()
    {
        var template = System.IO.File.ReadAllText(Repository.Path("iam", "deployer-policy.json"));
        var rendered = Placeholder().Replace(template, match => SampleValues.TryGetValue(match.Groups[1].Value, out var value)
            ? value
            : throw new InvalidOperationException($"{File} has the placeholder {match.Value}, which the tests do not know."));
        return new DeployerPolicy(template, JsonNode.Parse(rendered)!.AsObject());
    }

    public static IEnumerable<string> Placeholders(string template) => Placeholder().Matches(template).Select(m => m.Groups[1].Value).Distinct();

    public static IEnumerable<string> Actions(JsonObject statement) => statement["Action"] switch
    {
        JsonArray list => list.Select(a => (string)a!),
        JsonValue one => [(string)one!],
        _ => [],
    };

    public static bool Matches(string pattern, string action)
        => Regex.IsMatch(action, "^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.IgnoreCase);

    /// <summary>Whether an Allow statement the build's own call is evaluated against grants the action.</summary>
    public bool GrantsDirectly(string action) => DirectStatements.Any(s => (string?)s["Effect"] == "Allow" && Actions(s).Any(p => Matches(p, action)));

    /// <summary>
    /// Whether a statement for the build's own calls allows the action on the resource (IAM's ARN matching: '*' and
    /// '?' wildcards, case-sensitive). Conditions other than aws:CalledVia are not evaluated.
    /// </summary>
    public bool GrantsDirectlyOn(string action, string arn)
        => DirectStatements.Any(s => (string?)s["Effect"] == "Allow"
            && Actions(s).Any(p => Matches(p, action))
            && Resources(s).Any(r => Regex.IsMatch(arn, "^" + Regex.Escape(r).Replace(@"\*", ".*").Replace(@"\?", ".") + "$")));

    public static IEnumerable<string> Resources(JsonObject statement) => statement["Resource"] switch
    {
        JsonArray list => list.Select(a => (string)a!),
        JsonValue one => [(string)one!],
        _ => [],
    };

    public bool GrantsThroughCloudFormation(string action) => ThroughCloudFormationStatements.Any(s => (string?)s["Effect"] == "Allow" && Actions(s).Any(p => Matches(p, action)));

    private static bool CalledViaCloudFormation(JsonObject statement)
        => statement["Condition"]?.AsObject().Any(c => c.Value?.AsObject().ContainsKey("aws:CalledVia") == true) == true;

    // envsubst's form with a list of names: only ${NAME}, upper case, so IAM's own ${aws:...} variables are left alone.
    [GeneratedRegex(@"\$\{([A-Z_]+)\}")]
    private static partial Regex Placeholder();
}
