using System.Text.Json;
using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>What an UpdateService of an existing service sends, and which of the file's members differ from the service.</summary>
public sealed record ServiceUpdate(JsonObject Request, IReadOnlyList<string> Changed);

/// <summary>
/// Compares a rendered service file (a CreateService request) with the service ECS describes. Every member
/// UpdateService accepts and the service does not have as the file says goes into the update; a member only CreateService takes must equal what the service has,
/// else the deploy stops with the member and the fix. ECS fills in defaults and members of its own, so a member is
/// unchanged when everything the file says is in the description (lists of names in any order).
/// </summary>
public static class ServiceChanges
{
    /// <summary>Members of CreateService that only an idempotent create uses: nothing to compare.</summary>
    private static readonly HashSet<string> NotCompared = ["clientToken"];

    /// <summary>Members the description carries on the PRIMARY deployment rather than on the service.</summary>
    private static readonly HashSet<string> OnTheDeployment = ["serviceConnectConfiguration", "volumeConfigurations", "vpcLatticeConfigurations"];

    /// <summary>Every key of the file must be a member of CreateService (a typo would otherwise be dropped).</summary>
    public static void CheckMembers(JsonObject definition, string shownPath)
    {
        var unknown = definition.Select(p => p.Key).Where(k => !ServiceRequestMembers.CreateService.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new BuildException(
                $"{shownPath}: {string.Join(", ", unknown.Select(k => $"\"{k}\""))} {(unknown.Count == 1 ? "is no member" : "are no members")} of ECS's CreateService request, which the file is. " +
                $"Fix: remove or correct {(unknown.Count == 1 ? "it" : "them")}; the members are {string.Join(", ", ServiceRequestMembers.CreateService)} ({ServiceRequestMembers.ContractFile}).");
        }
    }

    public static ServiceUpdate Plan(JsonObject definition, JsonObject described, string shownPath)
    {
        CheckMembers(definition, shownPath);
        var request = new JsonObject();
        var changed = new List<string>();
        var refused = new List<string>();
        foreach (var (key, value) in definition)
        {
            var updateName = ServiceRequestMembers.UpdateName(key);
            if (ServiceRequestMembers.UpdateService.Contains(updateName))
            {
                // Only what identifies the service and what changed: an unchanged member sent again is no edit, but
                // some (networkConfiguration, loadBalancers, capacityProviderStrategy…) start a new deployment, which
                // at 0 %/100 % restarts Jenkins.
                if (key is "cluster" or "serviceName")
                {
                    request[updateName] = value?.DeepClone();
                }
                else if (!Contains(Described(described, key), value))
                {
                    request[updateName] = value?.DeepClone();
                    changed.Add(key);
                }
            }
            else if (!NotCompared.Contains(key) && CreateOnlyDiffers(key, value, described) is { } now)
            {
                refused.Add($"\"{key}\" is {Show(value)} in the file, {now} in the service");
            }
        }

        if (refused.Count > 0)
        {
            var service = (string?)described["serviceName"];
            var cluster = ((string?)described["clusterArn"])?.Split('/').Last();
            throw new BuildException(
                $"{shownPath}: {string.Join("; ", refused)}. UpdateService cannot change {(refused.Count == 1 ? "this member" : "these members")} of {service} (only CreateService takes {(refused.Count == 1 ? "it" : "them")}), " +
                "and nothing was registered or deployed. Fix: revert the edit, or delete the service and deploy again to create it anew " +
                $"(aws ecs delete-service --cluster {cluster} --service {service} --force; Jenkins is down until the new one runs)" +
                (refused.Any(r => r.StartsWith("\"tags\"", StringComparison.Ordinal)) ? "; tags alone change with aws ecs tag-resource / untag-resource" : string.Empty) + ".");
        }

        return new ServiceUpdate(request, changed);
    }

    /// <summary>The member as the service has it (some are described on its PRIMARY deployment).</summary>
    public static JsonNode? Described(JsonObject described, string key)
        => OnTheDeployment.Contains(key)
            ? (described["deployments"]?.AsArray() ?? []).OfType<JsonObject>().FirstOrDefault(d => (string?)d["status"] == "PRIMARY")?[key]
            : described[key];

    /// <summary>Null when the service has what the file says; else how the service has it.</summary>
    private static string? CreateOnlyDiffers(string key, JsonNode? value, JsonObject described)
    {
        switch (key)
        {
            case "serviceName":
                return null; // the service was found by this name
            case "role":
                var roleArn = (string?)described["roleArn"];
                var role = (string?)value;
                return roleArn is not null && role is not null && (roleArn == role || roleArn.EndsWith("/" + role, StringComparison.Ordinal))
                    ? null
                    : roleArn ?? "no role";
            case "schedulingStrategy":
                var strategy = (string?)described["schedulingStrategy"] ?? "REPLICA";
                return strategy == (string?)value ? null : strategy;
            case "tags":
                return Contains(described["tags"], value) && Contains(value, described["tags"] ?? new JsonArray()) ? null : Show(described["tags"]);
            default:
                return Contains(described[key], value) ? null : Show(described[key]);
        }
    }

    /// <summary>Whether <paramref name="actual"/> has everything <paramref name="wanted"/> says.</summary>
    public static bool Contains(JsonNode? actual, JsonNode? wanted) => wanted switch
    {
        null => actual is null,
        JsonObject w => actual is JsonObject a && w.All(p => Contains(a[p.Key], p.Value)),
        JsonArray w when w.Count == 0 => actual is null || (actual is JsonArray a && a.Count == 0),
        JsonArray w when w.All(i => i is JsonValue) => actual is JsonArray a && a.Count == w.Count && a.All(i => i is JsonValue)
            && w.Select(i => Scalar((JsonValue)i!)).Order(StringComparer.Ordinal).SequenceEqual(a.Select(i => Scalar((JsonValue)i!)).Order(StringComparer.Ordinal)),
        JsonArray w => actual is JsonArray a && a.Count == w.Count && w.All(i => a.Any(j => Contains(j, i))),
        JsonValue w => actual is JsonValue a && Scalar(a) == Scalar(w),
        _ => false,
    };

    private static string Scalar(JsonValue value) => value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();

    public static string Show(JsonNode? node) => node switch
    {
        null => "not set",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };
}
