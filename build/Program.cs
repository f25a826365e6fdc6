// First, before the runtime registers any signal handler: a SIGINT the parent ignored would never reach the run.
Cake.Frosting.InheritedSignals.RestoreIgnoredInterrupt();
return JenkinsOnEcs.Build.BuildHost.Create().Run(args);
