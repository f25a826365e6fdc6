using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Stacks;

namespace JenkinsOnEcs.Build.Checks;

/// <summary>One check's outcome: one line, and on a failure the fix in it.</summary>
public sealed record EnvironmentCheckLine(string Check, bool Passed, string Text)
{
    public override string ToString() => $"{(Passed ? "ok  " : "FAIL")} {Check}: {Text}";
}

/// <summary>What the checks read: the stacks' parameter values as the first deploy will pass them, and where they come from.</summary>
public sealed record EnvironmentCheckRequest(
    string Region,
    RunEnvironment Environment,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<SsmReference> SsmReferences,
    (ExecutionRoleGrants? Grants, string? Problem) MasterExecutionRole,
    string? Registry);

/// <summary>The read-only AWS clients the checks use.</summary>
public sealed record EnvironmentCheckClients(Route53Client Route53, AcmClient Acm, SecretsManagerClient Secrets, Ec2Client Ec2, ISsmParameterStore Ssm, Func<EcrClient> Ecr);

/// <summary>
/// Read-only checks of the AWS account and region against the environment's values, before any stack changes: the
/// hosted zone for DomainName, the certificate (or the zone's fitness for DNS validation), the admin password secret and
/// the master's right to read it, a given VPC and its subnets, the SSM parameters of the ECS-optimised AMI, and ECR.
/// Every check runs, each gives one line (a failure with its fix), and a failure of the AWS call itself (access denied,
/// unreachable) is that check's failure. Nothing here writes.
/// </summary>
public static class EnvironmentCheck
{
    public const string HostedZone = "hosted zone";
    public const string Certificate = "certificate";
    public const string AdminSecret = "admin password secret";
    public const string SecretAccess = "master may read the secret";
    public const string Network = "VPC and subnets";
    public const string AmiParameter = "ECS-optimised AMI parameter";
    public const string Ecr = "ECR";

    /// <summary>The parameter values the stacks get before any is deployed: the environment file's, else each template's default.</summary>
    public static Dictionary<string, string> ParameterValues(IEnumerable<CloudFormationTemplate> templates, IReadOnlyDictionary<string, string> fromEnvironment)
    {
        var values = new Dictionary<string, string>(fromEnvironment, StringComparer.Ordinal);
        foreach (var parameter in templates.SelectMany(t => t.Parameters.Values))
        {
            if (parameter.Default is not null)
            {
                values.TryAdd(parameter.Name, parameter.Default);
            }
        }

        return values;
    }

    public static async Task<IReadOnlyList<EnvironmentCheckLine>> RunAsync(EnvironmentCheckRequest request, EnvironmentCheckClients aws, CancellationToken cancellationToken)
    {
        var zones = new Lazy<Task<IReadOnlyList<HostedZone>>>(() => aws.Route53.ListHostedZonesAsync(cancellationToken));
        var checks = new (string Name, string Needs, Func<Task<EnvironmentCheckLine>> Run)[]
        {
            (HostedZone, "route53:ListHostedZones", () => HostedZoneAsync(request, zones.Value)),
            (Certificate, "acm:DescribeCertificate (and route53:ListHostedZones)", () => CertificateAsync(request, aws.Acm, zones.Value, cancellationToken)),
            (AdminSecret, "secretsmanager:DescribeSecret (ssm:GetParameters for an SSM parameter)", () => AdminSecretAsync(request, aws, cancellationToken)),
            (SecretAccess, "secretsmanager:DescribeSecret", () => SecretAccessAsync(request, aws.Secrets, cancellationToken)),
            (Network, "ec2:DescribeVpcs and ec2:DescribeSubnets", () => NetworkAsync(request, aws.Ec2, cancellationToken)),
            (AmiParameter, "ssm:GetParameters", () => AmiParameterAsync(request, aws.Ssm, cancellationToken)),
            (Ecr, "ecr:GetAuthorizationToken", () => EcrAsync(request, aws.Ecr, cancellationToken)),
        };

        return await Task.WhenAll(checks.Select(async check =>
        {
            try
            {
                return await check.Run();
            }
            catch (AwsServiceException ex) when (!cancellationToken.IsCancellationRequested)
            {
                return Fail(check.Name, $"AWS refused the check: {ex.Message} Fix: give the deploying role {check.Needs} (the check only reads), then run again.");
            }
            catch (BuildException ex) when (!cancellationToken.IsCancellationRequested)
            {
                return Fail(check.Name, ex.Message);
            }
        }));
    }

    /// <summary>Fails once with every failed check's line; the caller has changed nothing yet.</summary>
    public static void ThrowOnFailures(IReadOnlyList<EnvironmentCheckLine> lines)
    {
        var failed = lines.Where(l => !l.Passed).ToList();
        if (failed.Count > 0)
        {
            throw new BuildException(
                $"CheckEnvironment: {failed.Count} of {lines.Count} checks failed. No stack was touched.\n" +
                string.Join("\n", failed.Select(l => l.ToString())));
        }
    }

    // The zone that serves a name is the public zone whose name is its longest suffix (DNS delegation: a more
    // specific zone, once delegated, answers for everything under it).
    private static HostedZone? ServingZone(IEnumerable<HostedZone> zones, string domain)
        => zones.Where(z => !z.PrivateZone && IsSuffix(z.Name, domain)).MaxBy(z => z.Name.Length);

    private static bool IsSuffix(string zone, string domain)
        => string.Equals(domain, zone, StringComparison.OrdinalIgnoreCase) || domain.EndsWith("." + zone, StringComparison.OrdinalIgnoreCase);

    private static string Domain(EnvironmentCheckRequest request) => request.Parameters.GetValueOrDefault("DomainName", string.Empty).TrimEnd('.').ToLowerInvariant();

    private static string Given(EnvironmentCheckRequest request, string name) => request.Parameters.GetValueOrDefault(name, string.Empty).Trim();

    // The zone HostedZoneId names: null with the problem when it is not one the account has, or not the public zone
    // that serves DomainName. HostedZoneId empty: (null, null), the stack makes the zone.
    private static (HostedZone? Zone, string? Problem) GivenZone(EnvironmentCheckRequest request, IReadOnlyList<HostedZone> zones)
    {
        var domain = Domain(request);
        var id = Given(request, "HostedZoneId");
        if (id.Length == 0)
        {
            return (null, null);
        }

        var serving = ServingZone(zones, domain);
        var suggestion = serving is null
            ? $"Fix: set HostedZoneId under \"parameters\" in {request.Environment.EnvironmentFile} to the public zone of {domain}'s parent domain, or leave it empty and the load-balancers stack creates a zone named {domain} (then delegate it from the parent)."
            : $"Fix: set HostedZoneId under \"parameters\" in {request.Environment.EnvironmentFile} to {serving.Id}, the account's public zone {serving.Name}, which serves {domain}.";
        var zone = zones.FirstOrDefault(z => z.Id == id);
        if (zone is null)
        {
            return (null, $"HostedZoneId {id} is no hosted zone of this account (Route 53 ListHostedZones does not list it). {suggestion}");
        }

        if (!IsSuffix(zone.Name, domain))
        {
            return (null, $"HostedZoneId {id} is the zone {zone.Name}, which does not hold {domain} (its name is not a suffix of {domain}). {suggestion}");
        }

        if (zone.PrivateZone)
        {
            return (null, $"HostedZoneId {id} ({zone.Name}) is a private zone: the internet does not resolve it, and ACM cannot validate a certificate through it. {suggestion}");
        }

        if (serving is not null && serving.Id != zone.Id)
        {
            return (null, $"HostedZoneId {id} ({zone.Name}) does not serve {domain}: the account's more specific public zone {serving.Name} ({serving.Id}) does, so a record in {zone.Name} would never be answered. {suggestion}");
        }

        return (zone, null);
    }

    private static async Task<EnvironmentCheckLine> HostedZoneAsync(EnvironmentCheckRequest request, Task<IReadOnlyList<HostedZone>> listing)
    {
        var domain = Domain(request);
        if (Given(request, "HostedZoneId").Length == 0)
        {
            return Pass(HostedZone, $"HostedZoneId is empty: the load-balancers stack creates (or keeps) a public zone named {domain}; its name servers must be delegated from the parent domain.");
        }

        var (zone, problem) = GivenZone(request, await listing);
        return zone is null ? Fail(HostedZone, problem!) : Pass(HostedZone, $"{zone.Id} ({zone.Name}) is this account's public zone that serves {domain}.");
    }

    private static async Task<EnvironmentCheckLine> CertificateAsync(EnvironmentCheckRequest request, AcmClient acm, Task<IReadOnlyList<HostedZone>> listing, CancellationToken cancellationToken)
    {
        var domain = Domain(request);
        var arn = Given(request, "CertificateArn");
        if (arn.Length == 0)
        {
            if (Given(request, "HostedZoneId").Length == 0)
            {
                return Pass(Certificate, $"CertificateArn is empty: the stack requests one for {domain}, validated by DNS in the zone it creates (public, this account's); the stack waits until the zone is delegated and the certificate issued.");
            }

            var (zone, problem) = GivenZone(request, await listing);
            return zone is null
                ? Fail(Certificate, $"CertificateArn is empty, so the stack requests one validated by DNS, which needs a public zone this account controls for {domain}: {problem}")
                : Pass(Certificate, $"CertificateArn is empty: the stack requests one for {domain}, validated by DNS in {zone.Id} ({zone.Name}), a public zone of this account.");
        }

        var internalName = InternalNamePrefix + domain;
        var fixUse = $"Fix: set CertificateArn under \"parameters\" in {request.Environment.EnvironmentFile} to an ISSUED ACM certificate for {domain} in {request.Region} that also covers {internalName}, or leave it empty and the stack requests one.";
        var parts = arn.Split(':');
        if (parts.Length > 3 && parts[3] != request.Region)
        {
            return Fail(Certificate, $"CertificateArn {arn} is in {parts[3]}, but the load balancer is in {request.Region} and takes only a certificate of its own region. {fixUse}");
        }

        var certificate = await acm.DescribeCertificateAsync(arn, cancellationToken);
        if (certificate is null)
        {
            return Fail(Certificate, $"ACM has no certificate {arn} in {request.Region} (DescribeCertificate: ResourceNotFoundException). {fixUse}");
        }

        if (certificate.Status != "ISSUED")
        {
            var why = certificate.Status == "PENDING_VALIDATION"
                ? $"it waits for its DNS validation records (aws acm describe-certificate --certificate-arn {arn} shows them; create them in the zone)"
                : "ACM will not serve it";
            return Fail(Certificate, $"Certificate {arn} is {certificate.Status}, not ISSUED: {why}. {fixUse}");
        }

        // Both load balancers serve it: the public one as DomainName, the internal one as internal.DomainName, which
        // the proxy verifies (cfn/load-balancers.yaml says why the internal listener is HTTPS).
        var names = new[] { certificate.DomainName }.OfType<string>().Concat(certificate.SubjectAlternativeNames).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var covering = new[] { domain, internalName }.Select(d => (Domain: d, As: names.FirstOrDefault(n => Covers(n, d)))).ToList();
        var uncovered = covering.Where(c => c.As is null).Select(c => c.Domain).ToList();
        return uncovered.Count > 0
            ? Fail(Certificate, $"Certificate {arn} is for {string.Join(", ", names)}, which does not cover {string.Join(" or ", uncovered)} (neither the name nor a wildcard one label above it); the public load balancer serves {domain}, the internal one {internalName}. {fixUse}")
            : Pass(Certificate, $"{arn} is ISSUED and covers {string.Join(" and ", covering.Select(c => $"{c.Domain} (as {c.As})"))}.");
    }

    /// <summary>The internal load balancer's name is this prefix and DomainName (cfn/load-balancers.yaml, InternalName).</summary>
    public const string InternalNamePrefix = "internal.";

    /// <summary>A certificate name covers the domain exactly, or as "*.parent" for a domain one label below parent (a wildcard covers one label only).</summary>
    public static bool Covers(string name, string domain)
    {
        name = name.TrimEnd('.');
        if (string.Equals(name, domain, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var dot = domain.IndexOf('.', StringComparison.Ordinal);
        return name.StartsWith("*.", StringComparison.Ordinal) && dot > 0 && string.Equals(name[2..], domain[(dot + 1)..], StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsSsmParameter(string arn) => arn.Split(':') is { Length: > 5 } parts && parts[2] == "ssm";

    private static async Task<EnvironmentCheckLine> AdminSecretAsync(EnvironmentCheckRequest request, EnvironmentCheckClients aws, CancellationToken cancellationToken)
    {
        var arn = Given(request, "AdminPasswordSecretArn");
        var fixCreate = $"Fix: create it (aws secretsmanager create-secret --name <name> --secret-string '…' --region {request.Region}) and set AdminPasswordSecretArn under \"parameters\" in {request.Environment.EnvironmentFile} to the full ARN it answers.";
        if (arn.Length == 0)
        {
            return Fail(AdminSecret, $"AdminPasswordSecretArn is empty. {fixCreate}");
        }

        if (IsSsmParameter(arn))
        {
            // GetParameters without WithDecryption: the parameter's existence, its value left encrypted and unused.
            var answer = await aws.Ssm.GetParametersAsync([arn], cancellationToken);
            return answer.Invalid.Contains(arn)
                ? Fail(AdminSecret, $"The SSM parameter {arn} does not exist in {request.Region}. Fix: create it (aws ssm put-parameter --type SecureString --name <name> --value '…') or name an existing one in AdminPasswordSecretArn.")
                : Pass(AdminSecret, $"the SSM parameter {arn} exists.");
        }

        var secret = await aws.Secrets.DescribeSecretAsync(arn, cancellationToken);
        if (secret is null)
        {
            return Fail(AdminSecret, $"Secrets Manager has no secret {arn} in {request.Region}. {fixCreate}");
        }

        if (secret.DeletedDate is { } deleted)
        {
            return Fail(AdminSecret, $"The secret {arn} is scheduled for deletion ({deleted:yyyy-MM-dd}); ECS cannot read it. Fix: aws secretsmanager restore-secret --secret-id {arn}, or create a new one and name it in AdminPasswordSecretArn.");
        }

        if (secret.Arn != arn)
        {
            return Fail(AdminSecret, $"AdminPasswordSecretArn {arn} is not the secret's full ARN {secret.Arn}: IAM matches the full ARN (with its random suffix), so the master's execution role, granted the value given, could not read it. Fix: set AdminPasswordSecretArn under \"parameters\" in {request.Environment.EnvironmentFile} to {secret.Arn}.");
        }

        return Pass(AdminSecret, $"{arn} exists (DescribeSecret; its value is not read).");
    }

    private static async Task<EnvironmentCheckLine> SecretAccessAsync(EnvironmentCheckRequest request, SecretsManagerClient secrets, CancellationToken cancellationToken)
    {
        var arn = Given(request, "AdminPasswordSecretArn");
        var (grants, problem) = request.MasterExecutionRole;
        if (grants is null)
        {
            return Fail(SecretAccess, $"The master's execution role cannot be read from the templates: {problem}. Fix: let ecs/master.json's executionRoleArn name a stack output that is !GetAtt <Role>.Arn.");
        }

        var role = $"{grants.ShownTemplate}'s {grants.Role}";
        var ssm = IsSsmParameter(arn);
        var action = ssm ? "ssm:GetParameters" : "secretsmanager:GetSecretValue";
        if (arn.Length == 0 || !grants.Allows(action, arn))
        {
            return Fail(SecretAccess, $"{role} (the master's execution role) is granted no {action} on {(arn.Length == 0 ? "the secret" : arn)}, so the master's task could not start. Fix: grant it in that role's inline policy (Resource: !Ref AdminPasswordSecretArn).");
        }

        if (ssm)
        {
            return Pass(SecretAccess, $"{role} is granted {action} on {arn} (a customer-managed KMS key of a SecureString is not checked: SSM names it only in DescribeParameters).");
        }

        // The key is read from the secret; the secret's own existence is the other check's line.
        var secret = await secrets.DescribeSecretAsync(arn, cancellationToken);
        var key = secret?.KmsKeyId;
        if (key is null || key.EndsWith("alias/aws/secretsmanager", StringComparison.Ordinal))
        {
            return Pass(SecretAccess, $"{role} is granted {action} on {arn}; the secret {(secret is null ? "(not found, see above) needs" : "is under the AWS-managed key, which needs")} no kms:Decrypt grant. The role is read from the template the next deploy puts in place, not from IAM.");
        }

        return grants.Allows("kms:Decrypt", key)
            ? Pass(SecretAccess, $"{role} is granted {action} on {arn} and kms:Decrypt on its key {key}. The role is read from the template the next deploy puts in place, not from IAM.")
            : Fail(SecretAccess, $"The secret {arn} is encrypted with the customer-managed KMS key {key}, and {role} is granted no kms:Decrypt on it, so ECS could not decrypt the password. " +
                $"Fix: re-encrypt it with the AWS-managed key (aws secretsmanager update-secret --secret-id {arn} --kms-key-id alias/aws/secretsmanager), or add kms:Decrypt on {key} to that role's inline policy.");
    }

    private static async Task<EnvironmentCheckLine> NetworkAsync(EnvironmentCheckRequest request, Ec2Client ec2, CancellationToken cancellationToken)
    {
        var vpc = Given(request, "VpcId");
        var publicSubnets = List(Given(request, "PublicSubnetIds"));
        var privateSubnets = List(Given(request, "PrivateSubnetIds"));
        if (vpc.Length == 0 && publicSubnets.Count == 0 && privateSubnets.Count == 0)
        {
            return Pass(Network, "VpcId is empty: the network stack creates a VPC with public and private subnets in two Availability Zones.");
        }

        var fix = $"Fix: set VpcId, PublicSubnetIds and PrivateSubnetIds under \"parameters\" in {request.Environment.EnvironmentFile} to a VPC of {request.Region} and its subnets (each list in two Availability Zones), or leave all three empty for a new VPC.";
        var problems = new List<string>();
        if (vpc.Length == 0 || (await ec2.DescribeVpcIdsAsync([vpc], cancellationToken)).Count == 0)
        {
            problems.Add(vpc.Length == 0 ? "subnets are given without VpcId" : $"the VPC {vpc} does not exist in {request.Region}");
        }

        var asked = publicSubnets.Concat(privateSubnets).Distinct(StringComparer.Ordinal).ToList();
        var found = asked.Count == 0 ? [] : (await ec2.DescribeSubnetsAsync(asked, cancellationToken)).ToDictionary(s => s.Id, StringComparer.Ordinal);
        var missing = asked.Where(id => !found.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"the subnet(s) {string.Join(", ", missing)} do not exist in {request.Region}");
        }

        var elsewhere = found.Values.Where(s => vpc.Length > 0 && s.VpcId != vpc).ToList();
        if (elsewhere.Count > 0)
        {
            problems.Add($"{string.Join(", ", elsewhere.Select(s => $"{s.Id} is in {s.VpcId}"))}, not in {vpc}");
        }

        foreach (var (name, ids) in new[] { ("PublicSubnetIds", publicSubnets), ("PrivateSubnetIds", privateSubnets) })
        {
            var zones = ids.Where(found.ContainsKey).Select(id => found[id].AvailabilityZone).Distinct(StringComparer.Ordinal).ToList();
            if (ids.Count == 0)
            {
                problems.Add($"{name} is empty");
            }
            else if (missing.Count == 0 && zones.Count < 2)
            {
                problems.Add($"{name} span {zones.Count} Availability Zone(s) ({string.Join(", ", zones)}), not two: the load balancers need two");
            }
        }

        // The storage stack puts the EFS mount targets in the first two private subnets, and EFS takes one per zone.
        if (privateSubnets.Count >= 2 && privateSubnets.Take(2).All(found.ContainsKey) && found[privateSubnets[0]].AvailabilityZone == found[privateSubnets[1]].AvailabilityZone)
        {
            problems.Add($"the first two PrivateSubnetIds ({privateSubnets[0]}, {privateSubnets[1]}) are both in {found[privateSubnets[0]].AvailabilityZone}: the EFS mount targets go in these two, one per zone");
        }

        return problems.Count > 0
            ? Fail(Network, string.Join("; ", problems) + ". " + fix)
            : Pass(Network, $"{vpc} exists with its subnets: public in {Zones(publicSubnets, found)}, private in {Zones(privateSubnets, found)}.");
    }

    private static string Zones(IEnumerable<string> ids, Dictionary<string, Subnet> found)
        => string.Join(", ", ids.Select(id => found[id].AvailabilityZone).Distinct(StringComparer.Ordinal));

    private static List<string> List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static async Task<EnvironmentCheckLine> AmiParameterAsync(EnvironmentCheckRequest request, ISsmParameterStore ssm, CancellationToken cancellationToken)
    {
        var references = request.SsmReferences.Where(r => r.SsmName.Length > 0).ToList();
        if (references.Count == 0)
        {
            return Pass(AmiParameter, "no stack parameter names an SSM parameter.");
        }

        var answer = await ssm.GetParametersAsync(references.Select(r => r.SsmName), cancellationToken);
        var invalid = references.Where(r => answer.Invalid.Contains(r.SsmName)).ToList();
        return invalid.Count > 0
            ? Fail(AmiParameter, string.Join(" ", invalid.Select(r => $"Stack '{r.Stack}': parameter {r.Parameter} names the SSM parameter {r.SsmName} ({r.Source}), which does not exist in this account and region {request.Region} (SSM GetParameters lists it as invalid). " + (r.SsmName.StartsWith("/aws/", StringComparison.Ordinal)
                ? $"Fix: AWS publishes the /aws/ parameters per region: use a region that has it, or set {r.Parameter} under \"parameters\" in {request.Environment.EnvironmentFile} to one that {request.Region} has (aws ssm get-parameters-by-path --path /aws/service/ecs/optimized-ami/ --recursive lists them)."
                : $"Fix: create it (aws ssm put-parameter --name {r.SsmName} --type String --value ...), or set {r.Parameter} under \"parameters\" in {request.Environment.EnvironmentFile} to an existing SSM parameter's name."))))
            : Pass(AmiParameter, string.Join("; ", references.Select(r => $"{r.SsmName} (the {r.Stack} stack's {r.Parameter}) is {answer.Values.GetValueOrDefault(r.SsmName, "?")}")) + $" in {request.Region}.");
    }

    private static async Task<EnvironmentCheckLine> EcrAsync(EnvironmentCheckRequest request, Func<EcrClient> ecr, CancellationToken cancellationToken)
    {
        if (request.Registry is { } registry)
        {
            return Pass(Ecr, $"not used: the images go to {registry} (the registry setting).");
        }

        var client = ecr();
        var (proxy, _, _) = await client.GetAuthorizationTokenAsync(cancellationToken);
        return Pass(Ecr, $"{client.Endpoint.Host} answers GetAuthorizationToken (registry {proxy}).");
    }

    private static EnvironmentCheckLine Pass(string check, string text) => new(check, true, text);

    private static EnvironmentCheckLine Fail(string check, string text) => new(check, false, text);
}
