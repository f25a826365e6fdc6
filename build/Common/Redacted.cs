namespace JenkinsOnEcs.Build.Common;

/// <summary>A secret value; its text form is *** so that printing what holds it never shows it.</summary>
public sealed class Redacted(string value)
{
    public string Value { get; } = value;

    public override string ToString() => "***";
}
