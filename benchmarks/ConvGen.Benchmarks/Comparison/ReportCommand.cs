namespace ConvGen.Benchmarks.Comparison;

/// <summary>
/// <c>report [--check]</c>: writes the documentation's benchmark tables (<see cref="BenchmarkDocs"/>) anew from the
/// committed results; with <c>--check</c>, changes nothing and fails when a document is not what it would write.
/// </summary>
internal static class ReportCommand
{
    public static int Run(IReadOnlyList<string> arguments)
    {
        bool check = arguments is ["--check"];
        if (arguments.Count > 0 && !check)
        {
            Console.Error.WriteLine($"Unknown argument '{arguments[0]}'. Usage: report [--check]");
            return 2;
        }

        string root = CompareCommand.RepositoryRoot();
        if (check)
        {
            string[] stale = BenchmarkDocs.Documents
                .Where(d => BenchmarkDocs.Render(root, File.ReadAllText(Path.Combine(root, d))) != File.ReadAllText(Path.Combine(root, d)))
                .ToArray();
            foreach (string document in stale)
            {
                Console.Error.WriteLine($"{document}: its benchmark tables differ from benchmarks/results; run '{BenchmarkDocs.Command}'.");
            }

            return stale.Length == 0 ? 0 : 1;
        }

        IReadOnlyList<string> changed = BenchmarkDocs.Update(root);
        Console.WriteLine(changed.Count == 0 ? "The benchmark tables were up to date." : $"Wrote the benchmark tables of {string.Join(", ", changed)}.");
        return 0;
    }
}
