using System.Globalization;
using YamlDotNet.RepresentationModel;
using static JenkinsOnEcs.Build.Checks.TemplateRules;

namespace JenkinsOnEcs.Build.Checks;

/// <summary>
/// The templates' load balancers held against what AWS does and moto does not check (<see cref="LoadBalancerContract"/>):
/// every attribute key is one the load balancer's type accepts, and no attribute value is empty; an internal load
/// balancer in front of Jenkins hands it the public scheme and port (an ALB replaces X-Forwarded-Proto and -Port with
/// its own listener's, so anything but HTTPS on 443 loses them); and the idle timeout exceeds Jenkins' WebSocket
/// ping interval. Each finding names the template, the resource, the key, the fix and the source.
/// </summary>
public static class LoadBalancerRules
{
    private const string LoadBalancerType = "AWS::ElasticLoadBalancingV2::LoadBalancer";
    private const string IdleTimeoutKey = "idle_timeout.timeout_seconds";

    /// <summary>The scheme and port the client uses on the public load balancer, which Jenkins must see.</summary>
    public const string PublicScheme = "https";
    public const int PublicPort = 443;

    public static IReadOnlyList<RuleFinding> Check(IReadOnlyList<(string Name, YamlMappingNode Root)> templates, LoadBalancerContract contract)
    {
        var findings = new List<RuleFinding>();
        foreach (var (name, root) in templates)
        {
            var resources = Resources(root).ToList();
            foreach (var (id, _, resource) in resources.Where(r => r.Type == LoadBalancerType))
            {
                CheckAttributes(name, id, root, resource, contract, findings);
            }

            foreach (var (id, _, listener) in resources.Where(r => r.Type == "AWS::ElasticLoadBalancingV2::Listener"))
            {
                var loadBalancerId = Reference(Path(listener, "Properties", "LoadBalancerArn"));
                var loadBalancer = resources.FirstOrDefault(r => r.Id == loadBalancerId && r.Type == LoadBalancerType).Resource;
                if (loadBalancer is not null && Scalar(Path(loadBalancer, "Properties", "Scheme")) == "internal")
                {
                    CheckInternalListener(name, id, loadBalancerId!, TypeOf(loadBalancer), listener, contract, findings);
                }
            }
        }

        return findings;
    }

    private static string Article(string word) => "aeiou".Contains(word[0], StringComparison.Ordinal) ? "an" : "a";

    private static string TypeOf(YamlMappingNode loadBalancer) => Scalar(Path(loadBalancer, "Properties", "Type")) ?? "application";

    private static void CheckAttributes(string template, string id, YamlMappingNode root, YamlMappingNode resource, LoadBalancerContract contract, List<RuleFinding> findings)
    {
        var type = TypeOf(resource);
        if (!contract.AttributeKeys.TryGetValue(type, out var accepted))
        {
            return;
        }

        foreach (var attribute in Sequence(Path(resource, "Properties", "LoadBalancerAttributes")).SelectMany(Branches))
        {
            if (Scalar(Path(attribute, "Key")) is not { } key || Tag(Path(attribute, "Key")!) is not null)
            {
                continue;
            }

            if (!accepted.Contains(key))
            {
                findings.Add(new(template, id, $"LoadBalancerAttributes key {key}: {Article(type)} {type} load balancer does not accept it, and ELB refuses the stack. Fix: remove it, or use a key of {type} load balancers ({string.Join(", ", accepted.Order(StringComparer.Ordinal))}). Source: {contract.AttributesSource}"));
            }

            if (EmptyBranch(Path(attribute, "Value")))
            {
                var evidence = contract.NotEmpty.Contains(key) ? $"\"The value of '{key}' cannot be empty\"" : "an empty value";
                findings.Add(new(template, id, $"LoadBalancerAttributes key {key} can have an empty value: ELB refuses {evidence} (400 ValidationError), though moto and cfn-lint accept it. Fix: leave the attribute out instead, !If [Condition, {{ Key: {key}, Value: ... }}, !Ref AWS::NoValue]. Source: {contract.NotEmptySource}"));
            }

            if (key == IdleTimeoutKey && LowestValue(root, Path(attribute, "Value")) is { } seconds && seconds <= contract.WebSocketPingSeconds)
            {
                findings.Add(new(template, id, $"LoadBalancerAttributes key {key} can be {seconds} s, not above Jenkins' WebSocket ping interval ({contract.WebSocketPingSeconds} s): an agent's idle WebSocket would be cut between pings. Fix: a value (or the parameter's MinValue) above {contract.WebSocketPingSeconds}. Source: {contract.WebSocketPingSource}"));
            }
        }
    }

    /// <summary>
    /// An internal load balancer forwarding to Jenkins: what its listener sets as X-Forwarded-Proto and -Port is what
    /// Jenkins sees, whatever NGINX passed on. Anything but the public scheme and port makes Jenkins infer a wrong URL.
    /// </summary>
    private static void CheckInternalListener(string template, string id, string loadBalancer, string type, YamlMappingNode listener, LoadBalancerContract contract, List<RuleFinding> findings)
    {
        var protocol = Scalar(Path(listener, "Properties", "Protocol"));
        var forwards = Sequence(Path(listener, "Properties", "DefaultActions")).Any(a => Scalar(Path(a, "Type")) == "forward");
        if (protocol is null || !forwards || !int.TryParse(Scalar(Path(listener, "Properties", "Port")), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return;
        }

        var facts = contract.Listener(type, protocol);
        var seen = new List<string>();
        if (facts.ValueOf("X-Forwarded-Proto", port) is { } scheme && scheme != PublicScheme)
        {
            seen.Add($"X-Forwarded-Proto {scheme}");
        }

        if (facts.ValueOf("X-Forwarded-Port", port) is { } seenPort && seenPort != PublicPort.ToString(CultureInfo.InvariantCulture))
        {
            seen.Add($"X-Forwarded-Port {seenPort}");
        }

        if (seen.Count > 0)
        {
            findings.Add(new(template, id, $"the internal load balancer {loadBalancer} forwards to Jenkins on {protocol} {port}: {Article(type)} {type} load balancer replaces the headers NGINX passes on, so Jenkins sees {string.Join(" and ", seen)}, infers a URL other than {PublicScheme}://<DomainName>/ and fails its reverse-proxy check. Fix: Protocol HTTPS, Port {PublicPort}, with the environment's certificate. Source: contracts/{LoadBalancerContract.FileName} ({contract.HeadersSource})"));
        }
    }

    /// <summary>Whether a value is, or can be through an !If, an empty string.</summary>
    private static bool EmptyBranch(YamlNode? value)
        => value switch
        {
            YamlScalarNode scalar when Tag(scalar) is null => string.IsNullOrEmpty(scalar.Value),
            YamlSequenceNode condition when Tag(condition) == "!If" && condition.Children.Count == 3 => condition.Children.Skip(1).Any(EmptyBranch),
            _ => false,
        };

    /// <summary>The lowest number a value can take: a literal, or a parameter's MinValue (else its Default).</summary>
    private static int? LowestValue(YamlMappingNode root, YamlNode? value)
    {
        var text = value switch
        {
            YamlScalarNode scalar when Tag(scalar) is null => scalar.Value,
            YamlScalarNode scalar when Tag(scalar) == "!Ref" => Scalar(Path(root, "Parameters", scalar.Value!, "MinValue")) ?? Scalar(Path(root, "Parameters", scalar.Value!, "Default")),
            _ => null,
        };
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;
    }
}
