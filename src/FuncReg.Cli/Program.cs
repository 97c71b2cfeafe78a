return FuncReg.Cli.CliApp.Run(args);
