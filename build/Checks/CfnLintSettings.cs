using Cake.Core.Tooling;

namespace JenkinsOnEcs.Build.Checks;

public sealed class CfnLintSettings : ToolSettings;
