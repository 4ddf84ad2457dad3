using Scouter.Cli.Arguments;

if (args.Length == 0 || args.Contains("--help") || args.Contains("-h"))
{
    Console.Write(HelpText.Build());
    return args.Length == 0 ? 2 : 0;
}

try
{
    var parsed = ArgumentParser.Parse(args);
    Console.Error.WriteLine($"scouter {parsed.Verb}: this verb is wired in a later change.");
    return 1;
}
catch (UsageException e)
{
    Console.Error.WriteLine($"scouter: error: {e.Message}");
    return 2;
}
