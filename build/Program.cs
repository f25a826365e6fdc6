// First, before the runtime registers any signal handler: a SIGINT the parent ignored would never reach the run.
JenkinsOnEcs.Build.Host.InheritedSignals.RestoreIgnoredInterrupt();
return JenkinsOnEcs.Build.BuildHost.Create().Run(args);
