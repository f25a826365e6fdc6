using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Structure;

/// <summary>
/// Every relative link in README.md and docs/*.md points at a file of the repository and, with a #fragment, at a
/// heading of that file (GitHub's anchors: lower case, punctuation but '-' and '_' dropped, spaces as '-').
/// </summary>
public sealed partial class DocumentationLinksTests
{
    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string>();
        foreach (var file in new[] { "README.md" }.Concat(Directory.EnumerateFiles(Repository.Path("docs"), "*.md").Select(f => "docs/" + Path.GetFileName(f)).Order(StringComparer.Ordinal)))
        {
            data.Add(file);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_points_at_an_existing_file_and_heading(string document)
    {
        var path = Repository.Path(document.Split('/'));
        var broken = new List<string>();
        foreach (var target in Links(File.ReadAllText(path)))
        {
            if (Regex.IsMatch(target, "^[a-z]+:", RegexOptions.IgnoreCase))
            {
                continue;
            }

            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var file = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? null : target[(hash + 1)..];
            var resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
            if (!resolved.StartsWith(Repository.Root, StringComparison.Ordinal) || !(File.Exists(resolved) || Directory.Exists(resolved)))
            {
                broken.Add($"{target}: no such file");
            }
            else if (anchor is not null && !Anchors(File.ReadAllText(resolved)).Contains(anchor))
            {
                broken.Add($"{target}: no heading #{anchor} in {Path.GetFileName(resolved)}");
            }
        }

        Assert.True(broken.Count == 0, $"{document} has broken links:\n{string.Join("\n", broken)}");
    }

    [Fact]
    public void The_anchor_of_a_heading_is_githubs()
    {
        Assert.Equal(["the-deploys-summary", "first-deploy-into-an-aws-account", "images-and-buildkit"], Anchors("## The Deploy's summary\n# First deploy into an AWS account\n### Images and BuildKit\n"));
        Assert.Equal(["docs/a.md", "b.svg#x"], Links("[a](docs/a.md) ![b](b.svg#x)\n```\n[c](not/a/link.md)\n```\n"));
    }

    private static IReadOnlyList<string> Links(string markdown)
        => InlineLink().Matches(FencedCode().Replace(markdown, string.Empty)).Select(m => m.Groups[1].Value).ToList();

    private static IReadOnlyList<string> Anchors(string markdown)
        => Heading().Matches(FencedCode().Replace(markdown, string.Empty))
            .Select(m => Regex.Replace(m.Groups[1].Value.Trim().ToLowerInvariant().Replace("`", string.Empty, StringComparison.Ordinal), @"[^\p{L}\p{N}\s_-]", string.Empty).Replace(' ', '-'))
            .ToList();

    [GeneratedRegex(@"!?\[[^\]]*\]\(([^)\s]+)\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^#{1,6}\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedCode();
}
