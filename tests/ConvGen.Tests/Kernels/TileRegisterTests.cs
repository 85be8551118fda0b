using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ConvGen.Tests.Kernels;

/// <summary>
/// The generated register tiles keep their accumulators in registers for the whole reduction: when a tile is taller
/// than the JIT can allocate, it spills accumulators or broadcasts to the stack frame in every step, which has cost 2–5×
/// (it happened with one-channel convolutions and with AVX's VEX-only masked stores). Every seed network's kernels run
/// in a child process (ConvGen.KernelProbe) with the JIT's disassembly of each tile method on; a vector load or store
/// to the stack frame inside one of their loops fails the test. Both x64 paths: the machine's best, and AVX2 with
/// AVX-512 switched off (16 registers instead of 32, so other tile shapes).
/// </summary>
public partial class TileRegisterTests
{
    [Theory]
    [InlineData("the machine's best")]
    [InlineData("AVX2")]
    public void NoTileSpillsInsideItsLoops(string path)
    {
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_JitDisasm"] = "*Tile*",
            // Every method compiled fully optimised at once, as AggressiveOptimization compiles the kernels anyway.
            ["DOTNET_TieredCompilation"] = "0",
        };
        if (path == "AVX2")
        {
            environment["DOTNET_EnableAVX512"] = "0";
        }

        string listing = RunProbe(environment);
        IReadOnlyList<TileListing> tiles = TileListing.Parse(listing);

        // The probe compiles hundreds of tiles (428 on AVX-512 here); a handful means the listing was not what it seems.
        Assert.True(tiles.Count >= 100, $"Only {tiles.Count} tile methods in the JIT's listing:\n{Head(listing)}");
        var spilling = tiles
            .Select(t => (t.Method, Lines: t.StackAccessesInLoops()))
            .Where(t => t.Lines.Count > 0)
            .Select(t => $"{t.Method}:\n    {string.Join("\n    ", t.Lines.Take(4))}")
            .ToList();
        Assert.True(spilling.Count == 0, $"{spilling.Count} of {tiles.Count} tiles access the stack frame inside a loop ({path}):\n{string.Join("\n", spilling.Take(10))}");
    }

    [Fact]
    public void TheCheckFlagsStackVectorsInsideLoopsOnly()
    {
        // A listing as the JIT writes it: a spill before the loop (allowed), a reload inside it (not), a scalar on the
        // stack inside it (not a vector), and a forward jump (not a loop).
        string listing = string.Join('\n',
            "; Assembly listing for method K:ForwardTile8x2Avx512(byref,byref,byref) (FullOpts)",
            "G_M000_IG01:",
            "       vmovups  zmmword ptr [rbp-0x50], zmm16",
            "       jmp      SHORT G_M000_IG04",
            "G_M000_IG03:",
            "       vfmadd231ps zmm0, zmm1, zmmword ptr [rbp-0x50]",
            "       mov      eax, dword ptr [rbp-0x08]",
            "       vfmadd231ps zmm2, zmm1, zmmword ptr [rsi+0x40]",
            "G_M000_IG04:",
            "       dec      ecx",
            "       jne      G_M000_IG03",
            "       vmovups  ymm3, ymmword ptr [rsp+0x20]",
            "       ret",
            "; Assembly listing for method K:ForwardTile4x2Avx512(byref,byref,byref) (FullOpts)",
            "G_M000_IG02:",
            "       vfmadd231ps zmm2, zmm1, zmmword ptr [rsi+0x40]",
            "       jne      G_M000_IG02");

        IReadOnlyList<TileListing> tiles = TileListing.Parse(listing);

        Assert.Equal(["K:ForwardTile8x2Avx512(byref,byref,byref) (FullOpts)", "K:ForwardTile4x2Avx512(byref,byref,byref) (FullOpts)"], tiles.Select(t => t.Method));
        Assert.Equal(["vfmadd231ps zmm0, zmm1, zmmword ptr [rbp-0x50]"], tiles[0].StackAccessesInLoops());
        Assert.Empty(tiles[1].StackAccessesInLoops());
    }

    /// <summary>Runs the probe with <paramref name="environment"/> added and returns what the JIT wrote.</summary>
    private static string RunProbe(Dictionary<string, string> environment)
    {
        string probe = Path.Combine(AppContext.BaseDirectory, "convgen-kernel-probe.dll");
        Assert.True(File.Exists(probe), $"The probe is not next to the tests: {probe}");
        string listing = Path.Combine(Path.GetTempPath(), $"convgen-tiles-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(probe);
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["DOTNET_JitStdOutFile"] = listing;
        try
        {
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "The probe ran for more than 5 minutes.");
            Assert.True(process.ExitCode == 0, $"The probe failed ({process.ExitCode}):\n{output.Result}\n{errors.Result}");
            Assert.Contains($"{ConvGen.Models.SeedNetwork.All.Count} networks", output.Result);
            Assert.True(File.Exists(listing), $"The JIT wrote no listing to {listing}; the probe said:\n{output.Result}");
            return File.ReadAllText(listing);
        }
        finally
        {
            File.Delete(listing);
        }
    }

    private static string Head(string text) => text.Length <= 2000 ? text : text[..2000];

    /// <summary>One method's listing: its name and its lines.</summary>
    private sealed partial record TileListing(string Method, IReadOnlyList<string> Lines)
    {
        public static IReadOnlyList<TileListing> Parse(string listing)
        {
            var methods = new List<TileListing>();
            string? method = null;
            var lines = new List<string>();
            foreach (string line in listing.Split('\n'))
            {
                Match header = Header().Match(line);
                if (header.Success)
                {
                    if (method is not null)
                    {
                        methods.Add(new TileListing(method, lines));
                    }

                    method = header.Groups[1].Value;
                    lines = [];
                }
                else if (method is not null)
                {
                    lines.Add(line);
                }
            }

            if (method is not null)
            {
                methods.Add(new TileListing(method, lines));
            }

            return methods;
        }

        /// <summary>The instructions that load or store a vector on the stack frame between a loop's label and the jump
        /// back to it.</summary>
        public IReadOnlyList<string> StackAccessesInLoops()
        {
            var labels = new Dictionary<string, int>();
            for (int i = 0; i < Lines.Count; i++)
            {
                Match label = Label().Match(Lines[i]);
                if (label.Success)
                {
                    labels[label.Groups[1].Value] = i;
                }
            }

            var found = new List<string>();
            for (int i = 0; i < Lines.Count; i++)
            {
                Match jump = Jump().Match(Lines[i]);
                if (jump.Success && labels.TryGetValue(jump.Groups[1].Value, out int first) && first < i)
                {
                    found.AddRange(Lines.Skip(first).Take(i - first).Where(l => StackVector().IsMatch(l)).Select(l => l.Trim()));
                }
            }

            return found.Distinct().ToList();
        }

        [GeneratedRegex(@"^; Assembly listing for method (.+)$")]
        private static partial Regex Header();

        [GeneratedRegex(@"^(G_M\d+_IG\d+):")]
        private static partial Regex Label();

        [GeneratedRegex(@"^\s+j[a-z]+\s+(?:SHORT\s+)?(G_M\d+_IG\d+)")]
        private static partial Regex Jump();

        // A 16-, 32- or 64-byte operand addressed from the frame or stack pointer: a vector spilled or reloaded.
        [GeneratedRegex(@"[xyz]mmword ptr \[r[bs]p")]
        private static partial Regex StackVector();
    }
}
