using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting;

/// <summary>Whether a pass runs with dropout active and batch statistics (training) or not (inference), and how its
/// threads share the work.</summary>
internal enum PassMode
{
    /// <summary>Inference on a thread's own chunk of the batch.</summary>
    Inference,

    /// <summary>Training on a thread's own chunk of the batch.</summary>
    Training,

    /// <summary>Inference on a small batch all the threads of a team share: each runs part <c>part</c> of
    /// <c>parts</c> of every layer (its output rows, values or input features), with a barrier before a layer that
    /// reads values another part wrote (<see cref="NetworkPlan.SplitReadsOwnPart"/>).</summary>
    SplitInference,
}

/// <summary>A weight array's place in the parameter (trainable) or state buffer, and its constant's name.</summary>
internal sealed record WeightSlot(int Layer, string Constant, string KerasName, int[] Shape, bool Trainable, int Offset)
{
    public int Length => Shape.Aggregate(1, (a, b) => a * b);

    public string ShapeText => "(" + string.Join(", ", Shape) + (Shape.Length == 1 ? ",)" : ")");
}

/// <summary>Where a region lives.</summary>
internal enum RegionKind
{
    /// <summary>In each thread's workspace, one copy per sample of its chunk: offset and size scale with the capacity.</summary>
    PerSample,

    /// <summary>In each thread's workspace, once, after the per-sample regions.</summary>
    PerThread,

    /// <summary>In the buffer the threads of a step share, once (kernels transposed for the backward pass, the
    /// transformed kernels a split pass keeps from call to call).</summary>
    Shared,

    /// <summary>In the shared buffer, one block per thread, after the shared regions: partial sums a thread publishes to
    /// the others (batch normalisation over the whole batch, dense layers in a split pass).</summary>
    Partial,

    /// <summary>In the shared buffer after the partial sums, one copy per sample of the whole batch of a training step
    /// (offset and size scale with the batch): the values and gradients around the layers trained by rows
    /// (<see cref="NetworkPlan.IsRowSplit"/>). A pass's reference to one is its thread's chunk of it, like a per-sample
    /// region's (<see cref="PassWriter.BatchBuffer"/> gives the whole batch).</summary>
    Batch,

    /// <summary>After the batch regions, one block per thread, each with one copy per sample of the whole batch: the
    /// partial sums of the layers trained by rows.</summary>
    BatchPartial,
}

/// <summary>A workspace region: its kind, offset and size in floats (per sample for <see cref="RegionKind.PerSample"/>).</summary>
internal sealed record Region(string Name, int Size, RegionKind Kind, int Offset, string Description);

/// <summary>
/// Where everything lives for one model: weight offsets (the runtime's layout, by the same rules), workspace regions
/// (sized per sample at build time), which buffer each layer reads and writes in each pass, and the backward pass's
/// gradient buffers. Offsets are computed here, never written by hand.
/// </summary>
internal sealed class NetworkPlan
{
    /// <summary>The caller's images; not a workspace region.</summary>
    public const string ImagesName = "images";

    /// <summary>The largest batch the threads of a team share in a split pass: the runtime's
    /// <c>CompiledEngine.SplitSamples</c> (a test keeps the two equal).</summary>
    public const int SplitSamples = 7;

    /// <summary>In a split pass, the values of a sample are shared out in blocks of this many: the input features the
    /// layers before the first Dense map, every Dense's units, and a Dense's input features the same way, so a part
    /// reads back exactly what it wrote. Sixteen floats are a whole number of vectors on every path and one cache line,
    /// so parts never share either (blocks of 8 balance 200 units better, 104 and 96, but measured slower here).</summary>
    public const int SplitBlock = 16;

    /// <summary>
    /// The smallest kernel (inputs × units) of a Dense trained by rows when the layers before it run on chunks of the
    /// batch. Against training it by samples, that costs three barriers more per step (before its partial sums, its
    /// gathered input and its published input gradient) and saves a kernel that both cores would read and one would
    /// write, its gradients summed across them, every step. From 16 KB on the kernel's traffic costs more.
    /// </summary>
    public const int RowSplitMinimumKernel = 4096;

    /// <summary>
    /// The largest kernel (inputs × units) of the logits Dense that part 0 of a split pass computes alone
    /// (<see cref="ComputesInFirstPart"/>): 16 KB, which one core reads in ~0.15 µs, about what the barrier it saves
    /// cost with the other part's late partial sums (one barrier fewer took ~0.13 µs off beating-dense's 5 µs batch 1).
    /// </summary>
    public const int FirstPartMaximumKernel = 4096;

    private readonly Dictionary<string, Region> _regions = new(StringComparer.Ordinal);
    private readonly List<Region> _regionList = [];
    private readonly string?[] _trainingOutputs;
    private readonly string?[] _inferenceOutputs;
    private readonly bool[] _gathersForRowSplit;
    private readonly Dictionary<RegionKind, int> _cursors = new()
    {
        [RegionKind.PerSample] = 0,
        [RegionKind.PerThread] = 0,
        [RegionKind.Shared] = 0,
        [RegionKind.Partial] = 0,
        [RegionKind.Batch] = 0,
        [RegionKind.BatchPartial] = 0,
    };

    /// <summary>The plan the generated engine runs: the declared layers with activations folded into the layer before
    /// (<see cref="ActivationFolding"/>).</summary>
    public static NetworkPlan ForEngine(ModelSpec declared) => new(ActivationFolding.Fold(declared));

    public NetworkPlan(ModelSpec model)
    {
        Model = model;
        LayerIds = CreateLayerIds(model.Layers);
        Weights = LayOutWeights(model.Layers, LayerIds);
        ParameterLength = KerasConventions.Align(Weights.Where(w => w.Trainable).Select(w => w.Offset + w.Length).DefaultIfEmpty(0).Max());
        StateLength = KerasConventions.Align(Weights.Where(w => !w.Trainable).Select(w => w.Offset + w.Length).DefaultIfEmpty(0).Max());

        int count = model.Layers.Count;
        Last = model.Layers[count - 1];
        FirstTrainable = Enumerable.Range(0, count).Where(i => model.Layers[i].IsTrainable).DefaultIfEmpty(-1).First();
        _trainingOutputs = new string?[count];
        _inferenceOutputs = new string?[count];

        InputCopied = model.Layers[0] is Pooling2DSpec or BatchNormalizationSpec;
        ImagesRowSplitLayer = ChooseImagesRowSplitLayer();
        RowSplitLayers = ChooseRowSplitLayers();
        _gathersForRowSplit = new bool[count];
        foreach (int layer in RowSplitLayers.Where(l => l != ImagesRowSplitLayer))
        {
            _gathersForRowSplit[TrainingProducer(layer)] = true;
        }

        SummedParameterRanges = ChooseSummedParameterRanges();

        if (InputCopied)
        {
            AddPerSample("InputCopy", model.Input.Size, $"the images, copied so vector loads may read past a row: {model.Input.ToBatchComment()}");
        }

        for (int i = 0; i < count; i++)
        {
            LayOutLayer(model.Layers[i]);
        }

        LayOutBackward();
        WorkspacePerSample = KerasConventions.Align(_cursors[RegionKind.PerSample]);
        WorkspacePerThread = KerasConventions.Align(_cursors[RegionKind.PerThread]);
        SharedLength = KerasConventions.Align(_cursors[RegionKind.Shared]);
        PartialsPerThread = KerasConventions.Align(_cursors[RegionKind.Partial]);
        BatchPerSample = KerasConventions.Align(_cursors[RegionKind.Batch]);
        BatchPartialsPerSample = KerasConventions.Align(_cursors[RegionKind.BatchPartial]);
    }

    public ModelSpec Model { get; }

    /// <summary>C# identifiers of the layers (conv2d_1 → Conv2d1), unique.</summary>
    public IReadOnlyList<string> LayerIds { get; }

    public IReadOnlyList<WeightSlot> Weights { get; }

    public IReadOnlyList<Region> Regions => _regionList;

    public int ParameterLength { get; }

    public int StateLength { get; }

    /// <summary>Workspace floats per sample of a thread's chunk.</summary>
    public int WorkspacePerSample { get; }

    /// <summary>Workspace floats per thread, after the per-sample regions.</summary>
    public int WorkspacePerThread { get; }

    /// <summary>Floats of the shared regions.</summary>
    public int SharedLength { get; }

    /// <summary>Floats of one thread's block of partial sums.</summary>
    public int PartialsPerThread { get; }

    /// <summary>Floats of the batch regions per sample of a training step's batch.</summary>
    public int BatchPerSample { get; }

    /// <summary>Floats of one thread's block of batch partial sums, per sample of the batch.</summary>
    public int BatchPartialsPerSample { get; }

    /// <summary>
    /// The Dense layers a training step splits between its threads by the rows of its kernel (its input features)
    /// instead of by samples, in order. Each thread owns a contiguous range of the kernel's rows for the whole batch:
    /// the partial sums of the forward pass over its input features, those rows' gradient, the input gradient of those
    /// features, and the rows' update. No other thread reads or writes them, so the large weight matrices never move
    /// between cores; shared, they did on every step (one core writes a cache line the other has read, twice per step
    /// per line), which cost more than the arithmetic. Chosen: the first trainable layer when it is a Dense reading the
    /// images through layers that map each feature on its own (<see cref="ImagesRowSplitLayer"/>), and every Dense
    /// with a kernel of <see cref="RowSplitMinimumKernel"/> floats or more whose input a convolution, a pooling, a
    /// Dropout with a rate above 0 or a Dense writes (into a batch region, <see cref="GathersForRowSplit"/>).
    /// </summary>
    public IReadOnlyList<int> RowSplitLayers { get; }

    /// <summary>The first trainable layer when it is a Dense reading the images through Flatten, Rescaling or
    /// Normalization only, which then map each thread's own input features for the whole batch (no barrier before it);
    /// -1 when there is none.</summary>
    public int ImagesRowSplitLayer { get; }

    /// <summary>The parameters whose gradients the threads compute per chunk and then sum: every range outside the
    /// kernels trained by rows, whose rows the threads own.</summary>
    public IReadOnlyList<(int First, int End)> SummedParameterRanges { get; }

    /// <summary>Whether a training step splits <paramref name="layer"/> between its threads by the rows of its kernel.</summary>
    public bool IsRowSplit(int layer) => RowSplitLayers.Contains(layer);

    /// <summary>Whether the AVX-512 path trains <paramref name="layer"/>, a Dense trained by rows, in column-quad tiles
    /// (<see cref="Kernels.ColumnQuadTile"/>): units that are whole vectors and 4 more, over input features in whole
    /// blocks of 4 (each thread's rows start on one: <see cref="RowBlock"/> is 4 or 16 for such units).</summary>
    public bool UsesColumnQuads(int layer) =>
        IsRowSplit(layer) && Model.Layers[layer] is DenseSpec dense && dense.Input.Size % 4 == 0 && RowBlock(layer) % 4 == 0
        && Kernels.ColumnQuadTile.IsaFor(VectorIsa.Avx512, dense.Units) is not null;

    /// <summary>Whether <paramref name="layer"/> writes its training output for a Dense trained by rows: into a batch
    /// region, each thread its chunk's rows, which the Dense reads after a barrier.</summary>
    public bool GathersForRowSplit(int layer) => _gathersForRowSplit[layer];

    /// <summary>
    /// The rows of a kernel trained by rows are shared out in blocks of this many: with an input gradient, blocks of
    /// <see cref="SplitBlock"/> (its tiles then cover whole vectors on every path but at the last feature); else the
    /// fewest rows that make a whole number of 64-byte lines, so every thread's rows start on a line of the parameter
    /// and gradient buffers either way.
    /// </summary>
    public int RowBlock(int layer) =>
        NeedsInputGradient(layer) ? SplitBlock : KerasConventions.Alignment / Gcd(((DenseSpec)Model.Layers[layer]).Units, KerasConventions.Alignment);

    /// <summary>How far apart the rows of a Dense's transposed kernel ([units, inputs]) are: for a layer trained by
    /// rows, a whole number of 64-byte lines, so that the columns each thread owns (blocks of 16 features) never share a
    /// line with another thread's, which would pass it between the cores as each writes its half; else the inputs.</summary>
    public int TransposedStride(int layer) =>
        IsRowSplit(layer) ? KerasConventions.Align((int)Model.Layers[layer].Input.Size) : (int)Model.Layers[layer].Input.Size;

    /// <summary>Whether every thread transposes the whole kernel of <paramref name="layer"/> for itself, into its own
    /// workspace: a Dense trained by samples with a kernel under <see cref="RowSplitMinimumKernel"/> floats (a few
    /// microseconds at most), so no barrier has to publish a transpose shared out between the threads.</summary>
    public bool TransposesPrivately(int layer) =>
        Model.Layers[layer] is DenseSpec dense && !IsRowSplit(layer) && dense.Input.Size * dense.Units < RowSplitMinimumKernel;

    /// <summary>Whether the threads share out the transposition of a kernel the backward pass reads (a barrier must
    /// publish it before the backward pass).</summary>
    public bool SharesTransposes => TransposedKernels().Any(i => !IsRowSplit(i) && !TransposesPrivately(i));

    /// <summary>The layers whose kernel the backward pass reads transposed (shared out between the threads, or
    /// transposed by each for itself: <see cref="TransposesPrivately"/>, <see cref="IsRowSplit"/>).</summary>
    public IEnumerable<int> TransposedKernels() => BackwardLayers().Where(i => NeedsInputGradient(i) && Model.Layers[i] is Conv2DSpec or DenseSpec);

    public LayerSpec Last { get; }

    /// <summary>Index of the first layer with trainable weights; the backward pass stops there. -1 if none.</summary>
    public int FirstTrainable { get; }

    /// <summary>Whether the images are copied into the workspace first (the first layer reads whole vectors).</summary>
    public bool InputCopied { get; }

    /// <summary>The layer whose output gradient is the loss's gradient w.r.t. the logits: the last layer when it is a
    /// Dense with softmax (its pre-softmax output are the logits), else the layer before the Activation(Softmax).</summary>
    public int LogitsLayer => Last is ActivationSpec ? Last.Index - 1 : Last.Index;

    /// <summary>The gradient buffers the backward pass alternates between.</summary>
    public IReadOnlyList<string> GradientBuffers { get; } = ["GradientA", "GradientB"];

    public WeightSlot Weight(int layer, string variable) =>
        Weights.FirstOrDefault(w => w.Layer == layer && w.KerasName.EndsWith("/" + variable, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"Layer {layer} has no weight {variable}.");

    public bool HasRegion(string name) => _regions.ContainsKey(name);

    /// <summary>Whether <paramref name="layer"/> comes before <see cref="ImagesRowSplitLayer"/>: in training it maps the
    /// images of the whole batch, each thread its share of the input features.</summary>
    public bool FeedsImagesRowSplit(int layer) => ImagesRowSplitLayer >= 0 && layer < ImagesRowSplitLayer;

    // The first trainable layer, when it is a Dense reached from the images through layers that map each input
    // feature on its own (so a thread can compute its features' values for the whole batch alone).
    private int ChooseImagesRowSplitLayer()
    {
        if (FirstTrainable < 0 || Model.Layers[FirstTrainable] is not DenseSpec || InputCopied)
        {
            return -1;
        }

        for (int i = 0; i < FirstTrainable; i++)
        {
            if (Model.Layers[i] is not (FlattenSpec or AffineSpec))
            {
                return -1;
            }
        }

        return FirstTrainable;
    }

    private IReadOnlyList<int> ChooseRowSplitLayers()
    {
        var layers = new List<int>();
        for (int i = 0; i < Model.Layers.Count; i++)
        {
            if (i == ImagesRowSplitLayer)
            {
                layers.Add(i);
            }
            else if (Model.Layers[i] is DenseSpec dense && dense.Input.Size * dense.Units >= RowSplitMinimumKernel
                && TrainingProducer(i) is int producer && producer >= 0
                && Model.Layers[producer] is Conv2DSpec or Pooling2DSpec or DenseSpec or DropoutSpec { Rate: > 0 })
            {
                layers.Add(i);
            }
        }

        return layers;
    }

    // The layer whose output a training pass hands to `layer`: past Flatten, a linear or folded Activation and a
    // Dropout of rate 0, which hand their input on; -1 for the images.
    private int TrainingProducer(int layer)
    {
        int i = layer - 1;
        while (i >= 0 && (HandsInputOn(Model.Layers[i]) || Model.Layers[i] is DropoutSpec { Rate: <= 0 }))
        {
            i--;
        }

        return i;
    }

    // Everything but the kernels trained by rows (the gaps between arrays go with the ranges around them).
    private List<(int First, int End)> ChooseSummedParameterRanges()
    {
        var ranges = new List<(int First, int End)>();
        int start = 0;
        foreach (int layer in RowSplitLayers)
        {
            WeightSlot kernel = Weight(layer, "kernel");
            if (kernel.Offset > start)
            {
                ranges.Add((start, kernel.Offset));
            }

            start = KerasConventions.Align(kernel.Offset + kernel.Length);
        }

        if (ParameterLength > start)
        {
            ranges.Add((start, ParameterLength));
        }

        return ranges;
    }

    /// <summary>The expression of part <c>part</c> of <c>parts</c> of <paramref name="length"/> values in a split pass.</summary>
    public static string SplitValues(long length) => $"Partition.Blocks({length}, {SplitBlock}, part, parts)";

    /// <summary>
    /// Whether, in a split pass, <paramref name="layer"/> reads only values its own part wrote (or the images), so no
    /// barrier is needed before it: the layers mapping input features on their own before the first Dense (each part
    /// maps its block of features), that Dense (it multiplies the same block), and a Dense whose input is the output
    /// of another Dense (each part's block of input features is the block of units it has just summed); and a layer
    /// whose first step reads rows <c>Partition.Range(H, part, parts)</c> of each image (a 'same' convolution's copy
    /// into its padded input, a batch normalisation of images) after one that wrote the same rows of each image (a
    /// direct convolution, a pooling, a batch normalisation of images). Every other layer may read any value of its
    /// input (a convolution's kernel reads the rows around its own after the barrier that follows its copy).
    /// </summary>
    public bool SplitReadsOwnPart(int layer) =>
        FeedsImagesRowSplit(layer)
        || layer == ImagesRowSplitLayer
        || (Model.Layers[layer] is DenseSpec && InferenceProducer(layer) is int producer && producer >= 0 && Model.Layers[producer] is DenseSpec)
        || (ReadsOwnRowsFirst(Model.Layers[layer]) && InferenceProducer(layer) is int source && source >= 0 && WritesOwnRows(Model.Layers[source]));

    // In a split pass: the layers whose first step reads rows Partition.Range(H, part, parts) of every image of their
    // input, and those that write exactly those rows of every image of their output.
    private static bool ReadsOwnRowsFirst(LayerSpec layer) => layer switch
    {
        Conv2DSpec conv => conv.IsPadded,
        BatchNormalizationSpec norm => Layers.BatchNormalizationEmitter.SplitsRowsOf(norm.Input),
        _ => false,
    };

    private static bool WritesOwnRows(LayerSpec layer) => layer switch
    {
        Conv2DSpec conv => !Layers.WinogradConvolution.Applies(conv),
        Pooling2DSpec => true,
        BatchNormalizationSpec norm => Layers.BatchNormalizationEmitter.SplitsRowsOf(norm.Input),
        _ => false,
    };

    /// <summary>Whether part 0 of a split pass computes all the logits itself: the last layer to write an output is a
    /// Dense with at most <see cref="SplitBlock"/> units, so its first block is all of them.</summary>
    public bool SplitLogitsInFirstPart => InferenceProducer(Model.Layers.Count) is int last && last >= 0 && Model.Layers[last] is DenseSpec { Units: <= SplitBlock };

    /// <summary>
    /// Whether part 0 of a split pass computes <paramref name="layer"/> alone, for all the samples: the Dense writing the
    /// logits, with at most <see cref="SplitBlock"/> units (part 0 would hold them all anyway) and a kernel of at most
    /// <see cref="FirstPartMaximumKernel"/> floats, after another Dense, whose units part 0 then sums all of
    /// (<see cref="SumsAllInFirstPart"/>). Split by input features like the other Dense layers, it would need a barrier
    /// of its own before part 0 could add up the parts' partial sums.
    /// </summary>
    public bool ComputesInFirstPart(int layer) =>
        layer == LogitsLayer
        && Model.Layers[layer] is DenseSpec { Units: <= SplitBlock } dense
        && dense.Input.Size * dense.Units <= FirstPartMaximumKernel
        && InferenceProducer(layer) is int producer && producer >= 0 && Model.Layers[producer] is DenseSpec;

    /// <summary>Whether part 0 of a split pass sums all the units of <paramref name="layer"/>, a Dense, after the
    /// barrier that publishes the parts' partial sums: the Dense that <see cref="ComputesInFirstPart"/> reads it.</summary>
    public bool SumsAllInFirstPart(int layer) => LogitsLayer >= 0 && ComputesInFirstPart(LogitsLayer) && InferenceProducer(LogitsLayer) == layer;

    /// <summary>
    /// Whether the input of <paramref name="layer"/> is hardly ever zero, so a Dense given one sample reads its whole
    /// kernel in one stream rather than looking for the rows of zero inputs to skip: the input comes from a
    /// <c>Normalization</c> or <c>Rescaling</c> that maps zero to something else (an image's blank background to
    /// -mean / std), which gives zero only for the one pixel value it maps there.
    /// </summary>
    public bool InputRarelyZero(int layer) => InferenceProducer(layer) is int producer && producer >= 0 && Model.Layers[producer] is AffineSpec { OfZero: not 0.0 };

    // The layer whose output an inference pass hands to `layer` (past the layers that hand their input on: Flatten,
    // Dropout, a linear or folded Activation), or -1 for the images.
    private int InferenceProducer(int layer)
    {
        int i = layer - 1;
        while (i >= 0 && _inferenceOutputs[i] is null)
        {
            i--;
        }

        return i;
    }

    /// <summary>The expression of the input features (rows of the kernel) of <paramref name="layer"/>, trained by rows,
    /// thread <c>thread</c> of <c>threads</c> owns in a training step; the layers before
    /// <see cref="ImagesRowSplitLayer"/> map the same features.</summary>
    public string OwnedFeatures(int layer) => $"Partition.Blocks({Model.Layers[layer].Input.Size}, {RowBlock(layer)}, thread, threads)";

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);

    public Region RegionNamed(string name) => _regions[name];

    /// <summary>The buffer holding the input of <paramref name="layer"/> in a pass.</summary>
    public string InputOf(int layer, PassMode mode) =>
        layer == 0 ? (InputCopied ? "InputCopy" : ImagesName) : OutputOf(layer - 1, mode);

    /// <summary>The buffer holding the output of <paramref name="layer"/> in a pass (layers that change nothing in a
    /// pass, such as Flatten, or Dropout in inference, hand on their input's buffer).</summary>
    public string OutputOf(int layer, PassMode mode) =>
        (mode == PassMode.Training ? _trainingOutputs[layer] : _inferenceOutputs[layer]) ?? InputOf(layer, mode);

    /// <summary>The buffer holding the logits (the last layer's pre-softmax values) in a pass.</summary>
    public string LogitsOf(PassMode mode) => LogitsLayer < 0 ? InputOf(0, mode) : OutputOf(LogitsLayer, mode);

    /// <summary>Whether the backward pass must compute the gradient w.r.t. this layer's input: only when a trainable
    /// layer comes before it.</summary>
    public bool NeedsInputGradient(int layer) => FirstTrainable >= 0 && FirstTrainable < layer;

    /// <summary>
    /// The activation whose derivative layer <paramref name="layer"/> applies to the input gradient it writes, on behalf
    /// of the layer before it (which then skips its own pass over the gradient): the next layer's kernels have the
    /// previous output (their input) at hand as they write. Null when the layer applies none.
    /// </summary>
    public ActivationKind? FusedDerivative(int layer)
    {
        int producer = PreviousComputing(layer);
        return producer >= 0 && AppliesDerivativeOf(layer) && Derivative(Model.Layers[producer]) is ActivationKind activation ? activation : null;
    }

    /// <summary>Whether the derivative of <paramref name="layer"/>'s activation is applied by the next layer instead.</summary>
    public bool DerivativeAppliedByNext(int layer)
    {
        int next = NextComputing(layer);
        return next >= 0 && Derivative(Model.Layers[layer]) is not null && AppliesDerivativeOf(next);
    }

    // A layer that writes its input gradient with a kernel of its own, reading its input as it does.
    private bool AppliesDerivativeOf(int layer) => NeedsInputGradient(layer) && Model.Layers[layer] switch
    {
        Conv2DSpec conv => !conv.IsPadded,
        DenseSpec => true,
        Pooling2DSpec pool => pool.IsMax,
        DropoutSpec dropout => dropout.Rate > 0,
        _ => false,
    };

    // The activation a layer differentiates in its backward pass, if any.
    private static ActivationKind? Derivative(LayerSpec layer) => layer switch
    {
        Conv2DSpec or DenseSpec or ActivationSpec { HandsInputOn: false } when layer.OutputActivation is ActivationKind.Relu or ActivationKind.Sigmoid or ActivationKind.Tanh => layer.OutputActivation,
        _ => null,
    };

    // Flatten, a linear or a folded activation change no data: the layers either side of them meet directly.
    private int PreviousComputing(int layer)
    {
        int i = layer - 1;
        while (i >= 0 && HandsInputOn(Model.Layers[i]))
        {
            i--;
        }

        return i;
    }

    private int NextComputing(int layer)
    {
        int i = layer + 1;
        while (i < Model.Layers.Count && HandsInputOn(Model.Layers[i]))
        {
            i++;
        }

        return i < Model.Layers.Count ? i : -1;
    }

    private static bool HandsInputOn(LayerSpec layer) => layer is FlattenSpec or ActivationSpec { HandsInputOn: true };

    /// <summary>The layers the backward pass runs, from the logits layer down to the first trainable one.</summary>
    public IEnumerable<int> BackwardLayers()
    {
        for (int i = LogitsLayer; i >= FirstTrainable && FirstTrainable >= 0; i--)
        {
            yield return i;
        }
    }

    /// <summary>The expression of a buffer's first float inside a pass method.</summary>
    public static string Reference(string buffer) => buffer == ImagesName ? ImagesName : Camel(buffer);

    public static string Camel(string name) => char.ToLowerInvariant(name[0]) + name.Substring(1);

    private void LayOutLayer(LayerSpec layer)
    {
        string id = LayerIds[layer.Index];
        string shape = layer.Output.ToBatchComment();
        switch (layer)
        {
            case FlattenSpec:
                break;
            case ActivationSpec { Activation: ActivationKind.Softmax } or ActivationSpec { HandsInputOn: true }:
                // Linear changes nothing; the final softmax is fused with the loss, which writes the probabilities
                // straight into the caller's buffer; a folded activation is applied by the layer before.
                break;
            case DropoutSpec dropout:
                if (dropout.Rate > 0)
                {
                    _trainingOutputs[layer.Index] = GathersForRowSplit(layer.Index) ? null : AddPerSample(id + "Output", layer.Output.Size, $"{layer.Name} output (training only): {shape}");
                    AddPerSample(id + "Mask", layer.Output.Size, $"{layer.Name} mask: 0 or 1 / (1 - rate) per value");
                }

                break;
            case Conv2DSpec conv:
                if (conv.IsPadded)
                {
                    ShapeSpec padded = PaddedInput(conv);
                    AddPerSample(id + "PaddedInput", padded.Size, $"{layer.Name} input with its 'same' zero border: {padded.ToBatchComment()}");
                }

                SetOutput(layer, AddPerSample(id + "Output", layer.Output.Size, $"{layer.Name} output: {shape}"));
                if (Layers.WinogradConvolution.For(conv, conv.Activation) is Layers.WinogradConvolution winograd)
                {
                    string what = winograd.DescribeScratch();
                    AddRegion(RegionKind.PerThread, id + "Winograd", winograd.ScratchSize, $"{layer.Name} Winograd forward scratch: {what}");
                    AddRegion(RegionKind.Partial, id + "WinogradParts", winograd.BandScratchSize, $"{layer.Name} Winograd forward scratch of a part of a split pass: {winograd.DescribeBandScratch()}");
                    AddRegion(RegionKind.Shared, id + "KeptKernel", winograd.KeptKernelSize, $"{layer.Name} transformed kernel a split pass keeps from call to call: {winograd.DescribeKeptKernel()}");
                }

                break;
            case BatchNormalizationSpec:
                int channels = layer.Input.Channels;
                SetOutput(layer, AddPerSample(id + "Output", layer.Output.Size, $"{layer.Name} output: {shape}"));
                AddRegion(RegionKind.PerThread, id + "BatchMean", channels, $"{layer.Name} batch mean per channel");
                AddRegion(RegionKind.PerThread, id + "BatchInverseStd", channels, $"{layer.Name} batch 1 / sqrt(variance + epsilon) per channel");
                AddRegion(RegionKind.Partial, id + "Sums", channels, $"{layer.Name}: a thread's sum of its chunk per channel");
                AddRegion(RegionKind.Partial, id + "Squares", channels, $"{layer.Name}: a thread's sum of squared deviations from the batch mean per channel");
                AddRegion(RegionKind.Partial, id + "BetaSums", channels, $"{layer.Name}: a thread's sum of output gradients per channel");
                AddRegion(RegionKind.Partial, id + "GammaSums", channels, $"{layer.Name}: a thread's sum of output gradient · x̂ per channel");
                break;
            case DenseSpec dense:
                SetOutput(layer, AddPerSample(id + "Output", layer.Output.Size, $"{layer.Name} output: {shape}"));
                if (!ComputesInFirstPart(layer.Index))
                {
                    AddRegion(RegionKind.Partial, id + "Partials", (long)dense.Units * SplitSamples, $"{layer.Name}: a thread's partial sums over its input features in a split pass, [up to {SplitSamples} samples, {dense.Units}]");
                }

                if (IsRowSplit(layer.Index))
                {
                    AddRegion(RegionKind.BatchPartial, id + "RowPartials", dense.Units, $"{layer.Name}: a thread's partial sums over the input features it owns, for the whole batch: [N,{dense.Units}]");
                    AddRegion(RegionKind.Batch, id + "BatchGradient", dense.Units, $"{layer.Name}: the gradient of its pre-activation output, gathered from every thread's chunk: [N,{dense.Units}]");
                    if (UsesColumnQuads(layer.Index))
                    {
                        AddRegion(RegionKind.Shared, id + "KernelQuads", dense.Input.Size * 4, $"{layer.Name}: the last 4 columns of its kernel in blocks of 4 rows, each thread packing the rows it owns (AVX-512 path): [{dense.Input.Size / 4}, 4 units, 4 rows]");
                        AddRegion(RegionKind.Batch, id + "BatchGradientQuads", 16, $"{layer.Name}: the last 4 units of the gathered gradient, each value 4 times (AVX-512 path): [N,4 units,4]");
                    }

                    if (NeedsInputGradient(layer.Index))
                    {
                        AddRegion(RegionKind.Batch, id + "BatchInputGradient", dense.Input.Size, $"{layer.Name}: the gradient of its input, each thread writing the input features it owns for the whole batch: [N,{dense.Input.Size}]");
                    }
                }

                break;
            case AffineSpec when FeedsImagesRowSplit(layer.Index):
                SetOutput(layer, AddPerSample(id + "Output", layer.Output.Size, $"{layer.Name} output: {shape}"));
                _trainingOutputs[layer.Index] = AddRegion(RegionKind.Batch, id + "BatchOutput", layer.Output.Size, $"{layer.Name} output in training, for the whole batch (each thread writes the input features it owns): {shape}");
                break;
            default:
                SetOutput(layer, AddPerSample(id + "Output", layer.Output.Size, $"{layer.Name} output: {shape}"));
                break;
        }

        if (GathersForRowSplit(layer.Index))
        {
            _trainingOutputs[layer.Index] = AddRegion(RegionKind.Batch, id + "BatchOutput", layer.Output.Size, $"{layer.Name} output in training, for the whole batch (each thread writes its chunk's rows) of the Dense trained by rows after it: {shape}");
        }
    }

    private void LayOutBackward()
    {
        if (FirstTrainable < 0)
        {
            return;
        }

        long gradient = 0;
        long convInputScratch = 0;
        foreach (int i in BackwardLayers())
        {
            LayerSpec layer = Model.Layers[i];
            gradient = Math.Max(gradient, layer.Output.Size);
            if (NeedsInputGradient(i))
            {
                gradient = Math.Max(gradient, layer.Input.Size);
                string id = LayerIds[i];
                switch (layer)
                {
                    case Conv2DSpec conv:
                        // Its own region: only the dilation writes it, at the data positions, so the zero border and
                        // the zeros between strided rows are written once, when the workspace is allocated. One image
                        // per thread: the backward pass dilates and convolves image by image.
                        AddRegion(RegionKind.PerThread, id + "DilatedGradient", DilatedGradient(conv).Size, $"{layer.Name} output gradient of one image, dilated by its strides and inside a zero border of kernel - 1: {DilatedGradient(conv).ToImageComment()}");
                        if (conv.IsPadded)
                        {
                            convInputScratch = Math.Max(convInputScratch, PaddedInput(conv).Size);
                        }

                        AddRegion(RegionKind.Shared, id + "FlippedKernel", (long)conv.KernelHeight * conv.KernelWidth * conv.Input.Channels * conv.Filters, $"{layer.Name} kernel flipped and transposed to [ky, kx, filters, channels] for the input gradient");
                        break;
                    case DenseSpec dense:
                        AddRegion(TransposesPrivately(i) ? RegionKind.PerThread : RegionKind.Shared, id + "TransposedKernel", (long)TransposedStride(i) * dense.Units, IsRowSplit(i)
                            ? $"{layer.Name} kernel transposed to [units, inputs], rows {TransposedStride(i)} apart, for the input gradient (each thread writes and reads the columns of the features it owns)"
                            : TransposesPrivately(i)
                                ? $"{layer.Name} kernel transposed to [units, inputs] for the input gradient, by each thread for itself"
                                : $"{layer.Name} kernel transposed to [units, inputs] for the input gradient");
                        break;
                }
            }

            if (layer is Conv2DSpec convolution && Layers.WinogradConvolution.For(convolution, convolution.Activation) is Layers.WinogradConvolution winograd)
            {
                // The kernel gradient's dU and one band's transforms; then, when the input gradient is written, the
                // flipped kernel's transform and one band's transforms and products.
                long size = winograd.ScratchSize;
                string what = $"{layer.Name} Winograd backward scratch: {winograd.DescribeKernelGradientScratch()}";
                if (NeedsInputGradient(i) && Layers.WinogradConvolution.ForInputGradient(convolution, derivative: null) is Layers.WinogradConvolution inputGradient)
                {
                    size += inputGradient.ScratchSize;
                    what += $", then for the input gradient {inputGradient.DescribeScratch()}";
                }

                AddRegion(RegionKind.PerThread, LayerIds[i] + "BackwardWinograd", size, what);
            }
        }

        foreach (string buffer in GradientBuffers)
        {
            AddPerSample(buffer, gradient, "gradient of the loss w.r.t. a layer's output or input (the backward pass alternates between A and B)");
        }

        if (convInputScratch > 0)
        {
            AddRegion(RegionKind.PerThread, "ConvPaddedInputGradient", convInputScratch, "a 'same' convolution's input gradient of one image, border included");
        }
    }

    /// <summary>The input of a convolution with its 'same' zero border.</summary>
    public static ShapeSpec PaddedInput(Conv2DSpec conv) => ShapeSpec.Image(
        conv.Input.Height + conv.PadTop + conv.PadBottom,
        conv.Input.Width + conv.PadLeft + conv.PadRight,
        conv.Input.Channels);

    /// <summary>The output gradient spread by the strides and padded by kernel − 1 on each side: convolving it with the
    /// flipped kernel (stride 1) gives the gradient of the padded input.</summary>
    public static ShapeSpec DilatedGradient(Conv2DSpec conv) => ShapeSpec.Image(
        ((conv.Output.Height - 1) * conv.StrideHeight) + 1 + (2 * (conv.KernelHeight - 1)),
        ((conv.Output.Width - 1) * conv.StrideWidth) + 1 + (2 * (conv.KernelWidth - 1)),
        conv.Filters);

    private void SetOutput(LayerSpec layer, string region)
    {
        _trainingOutputs[layer.Index] = region;
        _inferenceOutputs[layer.Index] = region;
    }

    private string AddPerSample(string name, long size, string description) => AddRegion(RegionKind.PerSample, name, size, description);

    private string AddRegion(RegionKind kind, string name, long size, string description)
    {
        int offset = KerasConventions.Align(_cursors[kind]);
        _cursors[kind] = offset + (int)size;
        return Add(new Region(name, (int)size, kind, offset, description));
    }

    private string Add(Region region)
    {
        _regions.Add(region.Name, region);
        _regionList.Add(region);
        return region.Name;
    }

    /// <summary>The runtime's weight layout, by the same rules: per layer in order, Keras' order within a layer, each
    /// array aligned; trainable arrays in the parameter buffer, the others in the state buffer.</summary>
    private static List<WeightSlot> LayOutWeights(IReadOnlyList<LayerSpec> layers, IReadOnlyList<string> ids)
    {
        var slots = new List<WeightSlot>();
        int parameters = 0;
        int state = 0;
        foreach (LayerSpec layer in layers)
        {
            var declared = new List<(string Variable, int[] Shape, bool Trainable)>();
            switch (layer)
            {
                case Conv2DSpec conv:
                    declared.Add(("kernel", [conv.KernelHeight, conv.KernelWidth, conv.Input.Channels, conv.Filters], true));
                    if (conv.UseBias)
                    {
                        declared.Add(("bias", [conv.Filters], true));
                    }

                    break;
                case DenseSpec dense:
                    declared.Add(("kernel", [(int)dense.Input.Size, dense.Units], true));
                    if (dense.UseBias)
                    {
                        declared.Add(("bias", [dense.Units], true));
                    }

                    break;
                case BatchNormalizationSpec batchNorm:
                    int channels = batchNorm.Input.Channels;
                    declared.Add(("gamma", [channels], true));
                    declared.Add(("beta", [channels], true));
                    declared.Add(("moving_mean", [channels], false));
                    declared.Add(("moving_variance", [channels], false));
                    break;
            }

            foreach (var (variable, shape, trainable) in declared)
            {
                var slot = new WeightSlot(layer.Index, ids[layer.Index] + Pascal(variable), layer.Name + "/" + variable, shape, trainable, 0);
                int length = slot.Length;
                int offset;
                if (trainable)
                {
                    offset = KerasConventions.Align(parameters);
                    parameters = offset + length;
                }
                else
                {
                    offset = KerasConventions.Align(state);
                    state = offset + length;
                }

                slots.Add(slot with { Offset = offset });
            }
        }

        return slots;
    }

    private static IReadOnlyList<string> CreateLayerIds(IReadOnlyList<LayerSpec> layers)
    {
        // Names the engine class already uses for its own members.
        var taken = new HashSet<string>(StringComparer.Ordinal)
        {
            "Weights", "Workspace", "Loss", "Infer", "Evaluate", "Train", "Description", "Name", "CreateDescription",
        };
        var ids = new List<string>(layers.Count);
        foreach (LayerSpec layer in layers)
        {
            string id = Pascal(layer.Name);
            if (id.Length == 0 || !char.IsLetter(id[0]))
            {
                id = "Layer" + id;
            }

            string unique = id;
            for (int n = 2; !taken.Add(unique); n++)
            {
                unique = id + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            ids.Add(unique);
        }

        return ids;
    }

    /// <summary>conv2d_1 → Conv2d1, moving_mean → MovingMean: letters and digits only, each word capitalised.</summary>
    public static string Pascal(string name)
    {
        var id = new StringBuilder();
        bool upper = true;
        foreach (char c in name)
        {
            if (c < 128 && char.IsLetterOrDigit(c))
            {
                id.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
            else
            {
                upper = true;
            }
        }

        return id.ToString();
    }
}
