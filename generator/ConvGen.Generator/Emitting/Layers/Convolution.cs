using System.Collections.Generic;
using ConvGen.Generator.Emitting.Kernels;
using ConvGen.Generator.Model;

namespace ConvGen.Generator.Emitting.Layers;

/// <summary>
/// A direct convolution over an already padded NHWC input, tiled as <see cref="TileKernel"/>s of output pixels ×
/// output channels: each tile reduces over (ky, kx·C + c), broadcasting one input value per pixel and loading the
/// kernel row of output channels. Used for a Conv2D's forward pass and, with the flipped kernel over the dilated output
/// gradient, for its input gradient.
/// </summary>
internal sealed record Convolution(
    string Name,
    int InHeight,
    int InWidth,
    int InChannels,
    int KernelHeight,
    int KernelWidth,
    int StrideHeight,
    int StrideWidth,
    int OutHeight,
    int OutWidth,
    int OutChannels,
    int OutRowStride,
    int OutImageStride,
    bool Bias,
    ActivationKind Activation)
{
    /// <summary>
    /// When set, only input rows <c>First</c> ... <c>First + Count - 1</c> can hold non-zero values (the output gradient
    /// inside its zero border): each output row then reduces over the kernel rows that reach them and no others.
    /// </summary>
    public (int First, int Count)? DataRows { get; init; }

    /// <summary>When set, each output value is multiplied by this activation's derivative at the same position of the
    /// <c>y</c> buffer (laid out like the output): the input gradient of a layer applying the derivative of the layer
    /// before it.</summary>
    public ActivationKind? Derivative { get; init; }

    /// <summary>What the tiles' rows, columns and reduction are, in the layer's terms, for their doc comments: the
    /// forward pass's output pixels and channels by default; the layer's input pixels and channels, reduced over
    /// (kx, filter), for the input gradient.</summary>
    public (string Rows, string Columns, string Reduction) Nouns { get; init; } = ("output pixels", "output channels", "(kx, c)");

    /// <summary>Whether the loops cover only part <c>part</c> of <c>parts</c> of the output rows (of every image).</summary>
    public bool SplitRows { get; init; }

    /// <summary>Whether the loops cover one image inside the caller's loop over the images: the input, output and
    /// <c>y</c> references are then that image's, and no image loop is written.</summary>
    public bool OneImage { get; init; }

    /// <summary>Writes the loops over images, output rows and tiles, and returns the tiles they call.</summary>
    public IReadOnlyList<TileKernel> EmitLoops(SourceWriter w, VectorIsa path, string input, string kernel, string? bias, string output, string? y = null)
    {
        VectorIsa isa = path.ForColumns(OutChannels);
        Blocking blocking = Blocking.Choose(isa, OutChannels, OutWidth);
        var family = new TileFamily(Name, isa, (name, rows, panel) => Tile(isa, name, rows, panel));
        int pixelStep = StrideWidth * InChannels;

        if (SplitRows)
        {
            w.Line($"(int rowFirst, int rowEnd) = Partition.Range({OutHeight}, part, parts);");
        }

        if (OneImage)
        {
            w.Open();
            w.Line($"ref float image = ref {input};");
            w.Line($"ref float result = ref {output};");
            if (Derivative is not null)
            {
                w.Line($"ref float yImage = ref {y};");
            }
        }
        else
        {
            w.Open($"for (int n = 0; n < count; n++)");
            w.Line($"ref float image = ref Unsafe.Add(ref {input}, n * {InHeight * InWidth * InChannels});");
            w.Line($"ref float result = ref Unsafe.Add(ref {output}, n * {OutImageStride});");
            if (Derivative is not null)
            {
                w.Line($"ref float yImage = ref Unsafe.Add(ref {y}, n * {OutImageStride});");
            }
        }

        w.Open(SplitRows ? "for (int oy = rowFirst; oy < rowEnd; oy++)" : $"for (int oy = 0; oy < {OutHeight}; oy++)");
        if (DataRows is (int first, int count))
        {
            w.Comment($"The kernel rows that reach input rows {first}..{first + count - 1}, the only ones that are not zero.");
            w.Line($"int kyFirst = Math.Max(0, {first} - (oy * {StrideHeight}));");
            w.Line($"int taps = Math.Min({KernelHeight}, {first + count} - (oy * {StrideHeight})) - kyFirst;");
            w.Line($"ref float inRow = ref Unsafe.Add(ref image, ((oy * {StrideHeight}) + kyFirst) * {InWidth * InChannels});");
            w.Line($"ref float kernelRows = ref Unsafe.Add(ref {kernel}, kyFirst * {KernelWidth * InChannels * OutChannels});");
            kernel = "kernelRows";
        }
        else
        {
            w.Line($"ref float inRow = ref Unsafe.Add(ref image, oy * {StrideHeight * InWidth * InChannels});");
        }

        w.Line($"ref float outRow = ref Unsafe.Add(ref result, oy * {OutRowStride});");
        if (Derivative is not null)
        {
            w.Line($"ref float yRow = ref Unsafe.Add(ref yImage, oy * {OutRowStride});");
        }

        blocking.EmitKnownRows(w, "ox", (rows, index, first) => CallTiles(
            w,
            isa,
            blocking,
            family,
            rows,
            index is null ? VectorIsa.Int(first * pixelStep) : $"{index} * {pixelStep}",
            index is null ? VectorIsa.Int(first * OutChannels) : $"{index} * {OutChannels}",
            kernel,
            bias));

        w.Close();
        w.Close();
        return family.Tiles;
    }

    private static void CallTiles(SourceWriter w, VectorIsa isa, Blocking blocking, TileFamily family, int rows, string inOffset, string outOffset, string kernel, string? bias)
    {
        TileFamily.ForEachPanel(w, isa, blocking.Panels, (column, panel) => w.Line(family.Get(rows, panel).Call(
            TileFamily.Offset("inRow", inOffset),
            TileFamily.Offset(kernel, column),
            TileFamily.Offset("outRow", TileFamily.Plus(outOffset, column)),
            bias is null ? null : TileFamily.Offset(bias, column),
            TileFamily.Offset("yRow", TileFamily.Plus(outOffset, column)))));
    }

    private TileKernel Tile(VectorIsa isa, string name, int rows, Panel panel)
    {
        var aRows = new int[rows];
        var cRows = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            aRows[r] = r * StrideWidth * InChannels;
            cRows[r] = r * OutChannels;
        }

        int columns = panel.Columns(isa);
        return new TileKernel(
            name,
            isa,
            aRows,
            cRows,
            panel.Vectors,
            panel.LastLanes,
            [
                DataRows is null
                    ? new ReductionLoop("ky", KernelHeight, InWidth * InChannels, KernelWidth * InChannels * OutChannels)
                    : new ReductionLoop("ky", null, InWidth * InChannels, KernelWidth * InChannels * OutChannels, CountParameter: "taps"),
                new ReductionLoop("j", KernelWidth * InChannels, 1, OutChannels),
            ],
            Bias ? TileStart.Bias : TileStart.Zero,
            Activation,
            $"{SourceWriter.Count(rows, Nouns.Rows)} × {columns} {Nouns.Columns}: reduces over {(DataRows is null ? KernelHeight.ToString(System.Globalization.CultureInfo.InvariantCulture) : "'taps'")} kernel rows × {KernelWidth * InChannels} {Nouns.Reduction}{(Derivative is ActivationKind d ? $", then multiplies by {ActivationCode.Describe(d)}'(y)" : "")}.")
        {
            Derivative = Derivative,
        };
    }
}
