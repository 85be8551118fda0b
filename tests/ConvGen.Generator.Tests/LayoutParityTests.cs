using System.Reflection;
using System.Runtime.Loader;
using ConvGen.Engines;
using ConvGen.Generator.Emitting;
using ConvGen.Generator.Model;
using ConvGen.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;

namespace ConvGen.Generator.Tests;

/// <summary>
/// For every seed network, the generated engine and the runtime agree on the layout: the generated code is compiled,
/// loaded and instantiated (the runtime's CompiledEngine constructor refuses weight offsets or buffer lengths that
/// differ from its own ModelDescription), and its constants are compared with the generator's plan and the runtime's
/// description: weight offsets by name, parameter counts as Keras reports them, layer shapes, and a workspace whose
/// regions are aligned, disjoint and as large as the runtime's layer outputs.
/// </summary>
public class LayoutParityTests
{
    /// <summary>Keras' "Total params" of each network (the seed file's documentation; the last two by hand).</summary>
    public static TheoryData<string, long> KerasParameterCounts() => new()
    {
        { "MnistMlp", 16_175 },
        { "MnistConv8", 149_010 },
        { "MnistConv8x2", 126_490 },
        { "MnistCnn", 600_810 },
        { "MnistLeNet", 53_558 },
        { "StridedSame", 222 + 24 + 970 },
        { "NormalizedSoftmaxLayer", 72 + 16 + 136 + 528 + 85 },
    };

    [Theory]
    [MemberData(nameof(KerasParameterCounts))]
    public void GeneratedEngineAgreesWithTheRuntime(string name, long kerasParameters)
    {
        ModelSource source = SeedNetworks.Named(name);
        (ModelSpec spec, GeneratorRun run) = Generate(source);
        var plan = NetworkPlan.ForEngine(spec);

        var context = new AssemblyLoadContext("layout-" + name, isCollectible: true);
        try
        {
            Assembly assembly = Load(run.Output, context);
            Type modelType = assembly.GetType("ConvGen.Models." + name, throwOnError: true)!;

            // The runtime checks the generated offsets and lengths against its own layout here, and throws if they differ.
            var model = (ConvGen.Model)Activator.CreateInstance(modelType, 3)!;
            ModelDescription description = model.Description;
            CompiledEngine engine = Assert.IsAssignableFrom<CompiledEngine>(model.Engine);

            Assert.Equal(kerasParameters, description.ParameterCount);
            Assert.Equal(name, description.Name);
            AssertLayers(spec, description);
            AssertWeights(plan, description, engine.GetType());
            AssertWorkspace(plan, description, engine);

            float[] probabilities = model.Predict(new float[spec.Input.Size]);
            Assert.Equal(description.Classes, probabilities.Length);
            Assert.All(probabilities, p => Assert.True(float.IsFinite(p) && p >= 0));
            Assert.Equal(1.0, probabilities.Sum(), precision: 4);
        }
        finally
        {
            context.Unload();
        }
    }

    private static (ModelSpec Spec, GeneratorRun Run) Generate(ModelSource source)
    {
        Compilation compilation = GeneratorHarness.CreateCompilation(source.ToSource());
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        var run = new GeneratorRun((Microsoft.CodeAnalysis.CSharp.CSharpCompilation)compilation, output, diagnostics, result);
        run.AssertCompilesCleanly();
        var spec = (ModelSpec)Assert.Single(result.TrackedSteps[TrackingNames.Models].SelectMany(step => step.Outputs)).Value;
        return (spec, run);
    }

    private static Assembly Load(Compilation compilation, AssemblyLoadContext context)
    {
        using var stream = new MemoryStream();
        EmitResult emitted = compilation.Emit(stream);
        Assert.True(emitted.Success, GeneratorRun.Describe(emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        stream.Position = 0;
        return context.LoadFromStream(stream);
    }

    private static void AssertLayers(ModelSpec spec, ModelDescription description)
    {
        Assert.Equal(spec.Layers.Count, description.Layers.Count);
        Assert.Equal(spec.Input.ToString(), description.InputShape.ToString());
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            LayerSpec generated = spec.Layers[i];
            LayerInfo runtime = description.Layers[i];
            Assert.Equal(generated.Name, runtime.Name);
            Assert.Equal(generated.KerasType, runtime.Layer.KerasType);
            Assert.Equal(generated.Input.ToString(), runtime.InputShape.ToString());
            Assert.Equal(generated.Output.ToString(), runtime.OutputShape.ToString());
        }
    }

    /// <summary>Each generated weight constant (read from the compiled engine) is the runtime's offset of the weight of
    /// the same Keras name, and the plan's lengths are the runtime's.</summary>
    private static void AssertWeights(NetworkPlan plan, ModelDescription description, Type engineType)
    {
        Dictionary<string, int> constants = Constants(engineType, "Weights");
        Assert.Equal(description.ParameterLength, constants["ParameterLength"]);
        Assert.Equal(description.StateLength, constants["StateLength"]);
        Assert.Equal(plan.ParameterLength, description.ParameterLength);
        Assert.Equal(plan.StateLength, description.StateLength);
        Assert.Equal(description.Weights.Count, plan.Weights.Count);
        for (int i = 0; i < plan.Weights.Count; i++)
        {
            WeightSlot slot = plan.Weights[i];
            WeightInfo weight = description.Weights[i];
            Assert.Equal(weight.Name, slot.KerasName);
            Assert.Equal(weight.Offset, slot.Offset);
            Assert.Equal(weight.Offset, constants[slot.Constant]);
            Assert.Equal(weight.Length, slot.Length);
            Assert.Equal(weight.Trainable, slot.Trainable);
            Assert.Equal(weight.Shape, slot.Shape);
        }
    }

    /// <summary>The workspace constants of the compiled engine are the plan's; per-sample regions and fixed regions
    /// are aligned, disjoint and inside their totals; every layer output region holds the runtime's output shape.</summary>
    private static void AssertWorkspace(NetworkPlan plan, ModelDescription description, CompiledEngine engine)
    {
        Dictionary<string, int> constants = Constants(engine.GetType(), "Workspace");
        int perSample = constants["PerSample"];
        int perThread = constants["PerThread"];
        Assert.Equal(plan.WorkspacePerSample, perSample);
        Assert.Equal(plan.WorkspacePerThread, perThread);
        Assert.Equal(plan.SharedLength, constants["Shared"]);
        Assert.Equal(plan.PartialsPerThread, constants["PartialsPerThread"]);
        Assert.Equal(plan.BatchPerSample, constants["BatchPerSample"]);
        Assert.Equal(plan.BatchPartialsPerSample, constants["BatchPartialsPerSample"]);
        // The partial-sum regions hold the largest batch the runtime splits layer by layer.
        Assert.Equal(CompiledEngine.SplitSamples, NetworkPlan.SplitSamples);
        Assert.Equal(perSample + perThread, engine.WorkspaceLength(1));
        Assert.Equal((5L * perSample) + perThread, engine.WorkspaceLength(5));
        Assert.Equal(plan.Regions.Count + 6, constants.Count);

        var totals = new Dictionary<RegionKind, int>
        {
            [RegionKind.PerSample] = perSample,
            [RegionKind.PerThread] = perThread,
            [RegionKind.Shared] = plan.SharedLength,
            [RegionKind.Partial] = plan.PartialsPerThread,
            [RegionKind.Batch] = plan.BatchPerSample,
            [RegionKind.BatchPartial] = plan.BatchPartialsPerSample,
        };
        foreach (RegionKind kind in totals.Keys)
        {
            Region[] regions = [.. plan.Regions.Where(r => r.Kind == kind).OrderBy(r => r.Offset)];
            int end = 0;
            foreach (Region region in regions)
            {
                Assert.Equal(region.Offset, constants[region.Name]);
                Assert.True(region.Offset % 16 == 0, $"{region.Name} at {region.Offset} is not 64-byte aligned");
                Assert.True(region.Offset >= end, $"{region.Name} at {region.Offset} overlaps the region before, which ends at {end}");
                Assert.True(region.Size > 0, $"{region.Name} is empty");
                end = region.Offset + region.Size;
            }

            Assert.True(end <= totals[kind], $"{kind} regions end at {end}, past their total {totals[kind]}");
        }

        foreach (LayerInfo layer in description.Layers)
        {
            string output = plan.LayerIds[layer.Index] + "Output";
            if (plan.HasRegion(output))
            {
                Assert.Equal(layer.OutputShape.Size, plan.RegionNamed(output).Size);
            }
        }

        // The gradient buffers hold the largest output or input gradient of the layers the backward pass runs.
        long largest = plan.BackwardLayers().Select(i => (long)Math.Max(description.Layers[i].OutputShape.Size, plan.NeedsInputGradient(i) ? description.Layers[i].InputShape.Size : 0)).DefaultIfEmpty(0).Max();
        Assert.Equal(largest, plan.RegionNamed("GradientA").Size);
        Assert.Equal(largest, plan.RegionNamed("GradientB").Size);
    }

    private static Dictionary<string, int> Constants(Type engineType, string nestedClass)
    {
        Type nested = engineType.GetNestedType(nestedClass, BindingFlags.NonPublic) ?? throw new InvalidOperationException($"{engineType} has no {nestedClass} class");
        return nested.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!, StringComparer.Ordinal);
    }
}
