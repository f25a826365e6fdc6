return JenkinsOnEcs.Build.BuildHost.Create().Run(args);
