using ConvGen.Generator.Tests.Infrastructure;

namespace ConvGen.Generator.Tests;

/// <summary>
/// The generated code compiles with no error and no warning at the strictest settings (warning level 9999, nullable
/// enabled, documentation comments diagnosed), also next to ImplicitUsings and user types whose names the generated
/// code uses (Unsafe, Vector512, MemoryMarshal, Activation, Shape, Model, Math, ...), in the global namespace and in
/// the model's namespace.
/// </summary>
public class CompilationTests
{
    /// <summary>Types a user might plausibly have, named like what the generated code uses.</summary>
    private static string HostileTypes(string? ns) =>
        $$"""
        {{(ns is null ? "" : $"namespace {ns};")}}

        /// <summary>A user type.</summary>
        public static class Unsafe { /// <summary>A user member.</summary>
        public static int Add(int a, int b) => a - b; }
        /// <summary>A user type.</summary>
        public sealed class Vector512 { }
        /// <summary>A user type.</summary>
        /// <typeparam name="T">Anything.</typeparam>
        public sealed class Vector512<T> { }
        /// <summary>A user type.</summary>
        public sealed class Vector256 { }
        /// <summary>A user type.</summary>
        public static class MemoryMarshal { }
        /// <summary>A user type.</summary>
        public enum Activation { /// <summary>A user member.</summary>
        Relu, }
        /// <summary>A user type.</summary>
        public readonly record struct Shape(int Rows);
        /// <summary>A user type.</summary>
        public class Model { }
        /// <summary>A user type.</summary>
        public static class Math { }
        /// <summary>A user type.</summary>
        public static class MathF { }
        /// <summary>A user type.</summary>
        public static class Lanes { }
        """;

    /// <summary>The model's own source when <c>Activation</c> and the like are taken by the user's types: the user
    /// names the ConvGen ones in full, as they would have to.</summary>
    private static string Qualified(string source) => source
        .Replace("Activation = Activation.", "Activation = global::ConvGen.Activation.")
        .Replace("[Activation(Activation.", "[ActivationAttribute(global::ConvGen.Activation.")
        .Replace("Padding.", "global::ConvGen.Padding.")
        .Replace("Initializer.", "global::ConvGen.Initializer.");

    [Theory]
    [MemberData(nameof(SeedNetworks.Names), MemberType = typeof(SeedNetworks))]
    public void SeedNetworkCompilesWithoutWarnings(string name)
    {
        GeneratorHarness.Run(SeedNetworks.Named(name).ToSource()).AssertCompilesCleanly();
    }

    [Theory]
    [MemberData(nameof(SeedNetworks.Names), MemberType = typeof(SeedNetworks))]
    public void SeedNetworkCompilesNextToImplicitUsingsAndHostileTypes(string name)
    {
        const string Namespace = "MyApp.Models";
        GeneratorRun run = GeneratorHarness.Run(
            Qualified(SeedNetworks.Named(name).ToSource(Namespace)),
            GeneratorHarness.ImplicitUsings,
            HostileTypes(null),
            HostileTypes(Namespace));
        run.AssertCompilesCleanly();
    }

    [Fact]
    public void ModelInTheGlobalNamespaceCompilesNextToHostileTypes()
    {
        GeneratorRun run = GeneratorHarness.Run(
            Qualified(SeedNetworks.StridedSame.ToSource(ns: null)),
            GeneratorHarness.ImplicitUsings,
            HostileTypes(null));
        run.AssertCompilesCleanly();
        Assert.Equal("StridedSame.g.cs", Assert.Single(run.Sources).HintName);
    }

    [Fact]
    public void ModelInTheSeedNamespaceCompilesNextToHostileTypesThere()
    {
        GeneratorRun run = GeneratorHarness.Run(
            Qualified(SeedNetworks.NormalizedSoftmaxLayer.ToSource("ConvGen.Models")),
            GeneratorHarness.ImplicitUsings,
            HostileTypes("ConvGen.Models"));
        run.AssertCompilesCleanly();
    }

    [Fact]
    public void NestedModelCompiles()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using ConvGen;

            namespace MyApp;

            /// <summary>Outer.</summary>
            public static partial class Networks
            {
                /// <summary>Middle.</summary>
                public partial record Family
                {
                    /// <summary>Inner.</summary>
                    internal partial struct Group
                    {
                        /// <summary>The model.</summary>
                        [Sequential(8, 8, 1)]
                        [Conv2D(2, 3, Activation = Activation.Relu)]
                        [Flatten]
                        [Dense(3, Activation = Activation.Softmax)]
                        public partial class Tiny;
                    }
                }
            }
            """);
        run.AssertCompilesCleanly();
        Assert.Equal("MyApp.Networks.Family.Group.Tiny.g.cs", Assert.Single(run.Sources).HintName);
    }

    [Fact]
    public void TwoModelsOfTheSameNameInDifferentNamespacesCompile()
    {
        GeneratorRun run = GeneratorHarness.Run(
            SeedNetworks.MnistMlp.ToSource("First"),
            SeedNetworks.MnistMlp.ToSource("Second"),
            SeedNetworks.MnistMlp.ToSource(ns: null));
        run.AssertCompilesCleanly();
        Assert.Equal(["First.MnistMlp.g.cs", "MnistMlp.g.cs", "Second.MnistMlp.g.cs"], run.Sources.Select(s => s.HintName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void LayerNamesThatCollideWithEngineMembersOrNeedEscapingCompile()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using ConvGen;

            namespace MyApp;

            /// <summary>The model.</summary>
            [Sequential(6, 6, 2, Name = "a \"quoted\" <model> & \\ back\\slash")]
            [Conv2D(3, 3, Padding = Padding.Same, Name = "weights")]
            [BatchNormalization(Name = "workspace")]
            [Activation(Activation.Relu, Name = "loss")]
            [MaxPooling2D(2, Name = "3d")]
            [Dropout(0.1, Name = "Dropout")]
            [Flatten(Name = "dropout")]
            [Dense(7, Name = "infer", Activation = Activation.Tanh)]
            [Dense(5, Name = "\"<&>\"")]
            [Activation(Activation.Softmax, Name = "créé")]
            public partial class Odd;
            """);
        run.AssertCompilesCleanly();
    }
}
