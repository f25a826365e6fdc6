using JenkinsOnEcs.Build.Reports;

namespace JenkinsOnEcs.Build.Tests.Reports;

public sealed class UnifiedDiffTests
{
    [Fact]
    public void Changes_far_apart_get_a_hunk_each_with_three_lines_of_context_numbered_as_diff_u_numbers_them()
    {
        var before = string.Join("\n", Enumerable.Range(1, 20).Select(i => $"line {i}")) + "\n";
        var after = before.Replace("line 2\n", "line two\n", StringComparison.Ordinal).Replace("line 18\n", "", StringComparison.Ordinal) + "line 21\n";

        var diff = UnifiedDiff.Of(before, after, "a", "b");

        Assert.Equal(
            "--- a\n+++ b\n" +
            "@@ -1,5 +1,5 @@\n line 1\n-line 2\n+line two\n line 3\n line 4\n line 5\n" +
            "@@ -15,6 +15,6 @@\n line 15\n line 16\n line 17\n-line 18\n line 19\n line 20\n+line 21\n",
            diff.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Equal_texts_have_no_diff_and_a_new_text_is_all_added()
    {
        Assert.Equal(string.Empty, UnifiedDiff.Of("x\ny\n", "x\ny\n", "a", "b"));
        Assert.Equal("--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n", UnifiedDiff.Of(string.Empty, "x\ny\n", "a", "b").Replace("\r\n", "\n", StringComparison.Ordinal));
    }
}
