using JenkinsOnEcs.Build.Stacks;

namespace JenkinsOnEcs.Build.Checks;

/// <summary>
/// Runs cfn-lint, the security rules and the load balancer rules (held against contracts/aws-load-balancers.json)
/// over every template of cfn/stacks.json; fails with every finding, before any stack changes.
/// </summary>
public sealed class TemplateValidator(CfnLint cfnLint)
{
    /// <summary>Validates, unless these very templates already passed with this cfn-lint and these rules (a fast path for deploys).</summary>
    public (int Templates, bool Skipped) ValidateIfChanged(string repositoryRoot, string artifactsDirectory)
    {
        var stamp = Path.Combine(artifactsDirectory, "validated-templates");
        var fingerprint = Fingerprint(repositoryRoot);
        if (File.Exists(stamp) && File.ReadAllText(stamp) == fingerprint)
        {
            return (StackCatalog.Load(repositoryRoot).Count, true);
        }

        var count = Validate(repositoryRoot);
        Directory.CreateDirectory(artifactsDirectory);
        File.WriteAllText(stamp, fingerprint);
        return (count, false);
    }

    public int Validate(string repositoryRoot)
    {
        var stacks = StackCatalog.Load(repositoryRoot);
        var templates = stacks.Select(s => (Shown: System.IO.Path.GetRelativePath(repositoryRoot, s.TemplatePath), s.TemplatePath)).ToList();

        // Parses each template first: a template that does not parse is named with its line before anything else runs.
        var parsed = templates.Select(t => (t.Shown, CloudFormationTemplate.Load(t.TemplatePath, t.Shown).Root)).ToList();
        var contract = LoadBalancerContract.Load(Path.Combine(repositoryRoot, Conventions.ContractsFolder));

        var problems = cfnLint.Lint(templates.Select(t => t.TemplatePath))
            .Select(line => line.Replace(repositoryRoot + System.IO.Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal))
            .Concat(TemplateRules.Check(parsed).Select(f => f.ToString()))
            .Concat(LoadBalancerRules.Check(parsed, contract).Select(f => f.ToString()))
            .ToList();
        if (problems.Count > 0)
        {
            throw new BuildException($"The templates have {problems.Count} problem(s):\n  " + string.Join("\n  ", problems) + "\nFix them (a cfn-lint rule may be switched off inline in the resource's Metadata, with the reason).");
        }

        return templates.Count;
    }

    /// <summary>The templates' content, the stack list, the contracts the rules read, the build (its rules) and the cfn-lint found on PATH.</summary>
    private string Fingerprint(string repositoryRoot)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var files = StackCatalog.Load(repositoryRoot).Select(s => s.TemplatePath).Prepend(Path.Combine(repositoryRoot, StackCatalog.Folder, StackCatalog.FileName))
            .Concat(new[] { LoadBalancerContract.FileName, LoadBalancerContract.JenkinsFileName }.Select(f => Path.Combine(repositoryRoot, Conventions.ContractsFolder, f)).Where(File.Exists));
        foreach (var file in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(file + "\0"));
            hash.AppendData(File.ReadAllBytes(file));
        }

        var build = typeof(TemplateRules).Assembly.Location;
        var lint = cfnLint.ExecutablePath();
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{build}\0{File.GetLastWriteTimeUtc(build):O}\0{lint}\0{(lint is null ? string.Empty : File.GetLastWriteTimeUtc(lint).ToString("O"))}"));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
