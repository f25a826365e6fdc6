using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Nginx;

namespace JenkinsOnEcs.Build.Reports;

/// <summary>
/// The whole Deploy as a preview. Only reads: each stack's change set is computed and deleted (as PlanInfrastructure
/// did), the registry is asked for each content tag (the question a pushing build asks before it builds), each task
/// definition is rendered as RegisterTaskDefinitions renders it and held against its family's latest ACTIVE revision
/// by the registrar's fingerprint, and each service file against its service by <see cref="ServiceChanges"/>. Nothing
/// is built, pushed, registered or updated, and no lock is taken.
/// </summary>
public sealed partial class DeployPlanner(StackOperations stacks, AwsClients aws, ImageBuilder builder, RegistryTarget pushTarget)
{
    /// <summary>The ECS answer's members that RegisterTaskDefinition does not take: ECS's own, never in ecs/*.json.</summary>
    private static readonly string[] DescribedOnly = ["taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt", "registeredBy", "deregisteredAt"];

    public async Task<DeployPlan> PlanAsync(EcsOptions settings, ImageCatalog catalog, ImageBuildOptions options, CancellationToken cancellationToken = default)
    {
        var infrastructure = await stacks.DeployAsync(planOnly: true, cancellationToken);
        var stackPlans = infrastructure.Stacks.Select(s => new StackPlan(s.StackName, s.Outcome.ToString(), s.Changes)).ToList();
        var outputs = WithUnknownOutputs(settings, infrastructure.Outputs);

        var images = await PlanImagesAsync(options, cancellationToken);
        var region = aws.Session().Region.SystemName;
        var ecs = aws.Ecs();
        var references = images.ToDictionary(i => i.Plan.Name, i => i.Reference, StringComparer.Ordinal);
        var definitions = new List<TaskDefinitionPlan>();
        var targets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var image in catalog.Images)
        {
            var (plan, target) = await PlanTaskDefinitionAsync(ecs, TaskDefinitionRollout.Render(settings, image, outputs, region, references), cancellationToken);
            definitions.Add(plan);
            targets[plan.Family] = target;
        }

        var services = new List<ServicePlan>();
        foreach (var service in MasterClusterServices.All)
        {
            services.Add(await PlanServiceAsync(ecs, settings, outputs, service, targets[service.Family(settings.Environment.Name)], cancellationToken));
        }

        var master = MasterClusterServices.All[0].Family(settings.Environment.Name);
        return new DeployPlan(settings.Environment.Name, stackPlans, images.Select(i => i.Plan).ToList(), definitions, services,
            MasterRestart(services[0], definitions.Single(d => d.Family == master), settings.AllowMasterRestart));
    }

    /// <summary>
    /// The outputs the stacks have now, and for each output a template declares but no stack has yet (a stack not
    /// created yet) a placeholder that names it: a plan of a new environment still renders every definition.
    /// </summary>
    private static IReadOnlyDictionary<string, string> WithUnknownOutputs(EcsOptions settings, IReadOnlyDictionary<string, string> known)
    {
        var outputs = new Dictionary<string, string>(known, StringComparer.Ordinal);
        foreach (var stack in StackCatalog.Load(settings.Environment.RepositoryRoot))
        {
            foreach (var output in CloudFormationTemplate.Load(stack.TemplatePath, Path.GetRelativePath(settings.Environment.RepositoryRoot, stack.TemplatePath)).Outputs)
            {
                // The agents' family prefix is the convention's (the stack's output follows it; TaskDefinitionRollout falls back on it too).
                outputs.TryAdd(output, output == Conventions.AgentFamilyPrefixOutput
                    ? Conventions.AgentFamilyPrefix(settings.Environment.Name)
                    : $"<output {output}: known once stack {stack.StackName(settings.Environment.Name)} exists>");
            }
        }

        return outputs;
    }

    private async Task<List<(ImagePlan Plan, string Reference)>> PlanImagesAsync(
        ImageBuildOptions options, CancellationToken cancellationToken)
    {
        // Nothing in an image depends on the stacks (the proxy's upstream is set at container start): every tag is known.
        var tagged = builder.ContentTags(options.Catalog, options);
        var (registry, _) = await pushTarget.GetAsync(cancellationToken);

        // The same question a pushing build asks before it builds, and its push again (with noCache too: an image
        // rebuilt under a tag the registry has is not pushed): the registry's digest for each content tag.
        var digests = await Task.WhenAll(tagged.Select(async t => (t.Image, t.Repository, t.Tag, Digest: await registry.DigestAsync(t.Repository, t.Tag, cancellationToken))));
        var plans = new List<(ImagePlan, string)>();
        foreach (var found in digests)
        {
            var reference = found.Digest is { } digest
                ? $"{registry.Host}/{found.Repository}@{digest}"
                : $"{registry.Host}/{found.Repository}@<digest of :{found.Tag}, known after its push>";
            plans.Add((new ImagePlan(found.Image.Name, found.Repository, found.Tag, found.Digest), reference));
        }

        return plans;
    }

    /// <returns>The plan, and the revision a Deploy's services get for the family (a new one, unnumbered until ECS numbers it).</returns>
    private static async Task<(TaskDefinitionPlan Plan, string Target)> PlanTaskDefinitionAsync(EcsClient ecs, JsonObject rendered, CancellationToken cancellationToken)
    {
        var family = (string)rendered["family"]!;
        // A family named by a stack that does not exist yet has no revision.
        var latest = Placeholder().IsMatch(family) ? null : await ecs.DescribeLatestTaskDefinitionAsync(family, cancellationToken);
        var latestArn = (string?)latest?.Definition["taskDefinitionArn"];
        var registers = !(latest is { } current
            && current.Tags.GetValueOrDefault(TaskDefinitionRegistrar.FingerprintTag) == TaskDefinitionRegistrar.Fingerprint(rendered)
            && (string?)current.Definition["status"] != "INACTIVE");
        var renderedText = Pretty(rendered);
        var diff = registers
            ? UnifiedDiff.Of(latest is { } l ? Pretty(Comparable(l.Definition, rendered)) : string.Empty, renderedText, latestArn is null ? $"{family} (no revision yet)" : $"{Short(latestArn)} (latest ACTIVE)", $"{family} (as a Deploy would register it)")
            : string.Empty;
        var placeholders = Placeholder().Matches(renderedText).Select(m => m.Value).Distinct(StringComparer.Ordinal).ToList();
        return (new TaskDefinitionPlan(family, latestArn, registers, placeholders, diff), registers ? $"{family}:<new revision>" : latestArn!);
    }

    private static async Task<ServicePlan> PlanServiceAsync(EcsClient ecs, EcsOptions settings, IReadOnlyDictionary<string, string> outputs, MasterClusterService service, string target, CancellationToken cancellationToken)
    {
        var (definition, shown) = ServiceRollout.Render(settings, outputs, service, target);
        var name = (string)definition["serviceName"]!;
        var cluster = (string)definition["cluster"]!;
        if (Placeholder().IsMatch(cluster))
        {
            return new ServicePlan(name, null, null, target, Creates: true, []);
        }

        var described = await ecs.DescribeServiceAsync(cluster, name, cancellationToken);
        if (described is null)
        {
            return new ServicePlan(name, cluster, null, target, Creates: true, []);
        }

        // The same comparison DeployServices makes; a member only CreateService takes fails here as it would there.
        var update = ServiceChanges.Plan(definition, described, shown);
        var changes = update.Changed
            .Select(member => new ServiceMemberChange(member, ServiceChanges.Show(definition[member]), ServiceChanges.Show(ServiceChanges.Described(described, member))))
            .ToList();
        return new ServicePlan(name, cluster, (string?)described["taskDefinition"], target, Creates: false, changes);
    }

    private static MasterRestartPlan MasterRestart(ServicePlan master, TaskDefinitionPlan definition, bool allowed)
    {
        if (master.Current is null)
        {
            return new MasterRestartPlan(false, $"no service {master.Service} yet: a Deploy creates it (a first start is no restart)", allowed);
        }

        if (definition.Registers)
        {
            return new MasterRestartPlan(true, $"{master.Service} runs {Short(master.Current)}; a new revision of {definition.Family} would be registered (see its diff)", allowed);
        }

        return master.Current == master.Target
            ? new MasterRestartPlan(false, $"{master.Service} runs {Short(master.Current)}, which matches", allowed)
            : new MasterRestartPlan(true, $"{master.Service} runs {Short(master.Current)} (e.g. after a Rollback), and a Deploy puts it on {Short(master.Target)}", allowed);
    }

    /// <summary>
    /// The described revision as it compares with a rendered one: without the members ECS adds of its own, and without
    /// the empty members and defaults it fills in where the file says nothing (ECS answers "mountPoints": [], "cpu": 0
    /// and the like). The decision to register is the fingerprint's; this only keeps the diff to what the files change.
    /// </summary>
    private static JsonObject Comparable(JsonObject described, JsonObject rendered)
    {
        var copy = (JsonObject)described.DeepClone();
        foreach (var member in DescribedOnly)
        {
            copy.Remove(member);
        }

        return (JsonObject)WithoutFilledEmpties(copy, rendered)!;
    }

    private static JsonNode? WithoutFilledEmpties(JsonNode? described, JsonNode? rendered)
    {
        switch (described)
        {
            case JsonObject obj:
                var other = rendered as JsonObject;
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (other?.ContainsKey(key) != true && (IsEmpty(obj[key]) || IsFilledDefault(key, obj[key])))
                    {
                        obj.Remove(key);
                    }
                    else
                    {
                        obj[key] = WithoutFilledEmpties(obj[key]?.DeepClone(), other?[key]);
                    }
                }

                return obj;
            case JsonArray array:
                var items = rendered as JsonArray;
                return new JsonArray(array.Select((item, i) => WithoutFilledEmpties(item?.DeepClone(), items is not null && i < items.Count ? items[i] : null)).ToArray());
            default:
                return described;
        }
    }

    /// <summary>Defaults ECS describes where the definition says nothing: a container's "cpu": 0 and "essential": true, an EFS volume's "rootDirectory": "/".</summary>
    private static bool IsFilledDefault(string key, JsonNode? value) => (key, value?.ToJsonString()) is ("cpu", "0") or ("essential", "true") or ("rootDirectory", "\"/\"");

    private static bool IsEmpty(JsonNode? node) => node is null || node is JsonArray { Count: 0 } || node is JsonObject { Count: 0 };

    /// <summary>Indented, members in name order at every level, so that the two sides of a diff line up.</summary>
    private static string Pretty(JsonNode node) => Sorted(node)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };

    private static string Short(string arn) => arn.Split('/').Last();

    /// <summary>The placeholders this planner writes for what is not known before a Deploy: &lt;…&gt;.</summary>
    [GeneratedRegex("<(output [A-Za-z0-9]+: known once stack [^<>]+ exists|digest[^<>]*)>")]
    private static partial Regex Placeholder();
}
