using Cake.Core.Tooling;

namespace JenkinsOnEcs.Build.Templates;

public sealed class CfnLintSettings : ToolSettings;
